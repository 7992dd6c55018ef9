#!/usr/bin/env bash
# Regression guard on the core's own cost, in instructions (docs/performance.md,
# "Instruction counts and the CI guard"). Runs crates/sinch-auth/benches/instructions.rs on
# valgrind's callgrind through gungraun, takes for each credential
#
#   overhead(op) = count(op) - count(hmac_baseline)      per call, op = mint, verify
#
# (the HMAC both sides do cancels out, whichever SHA-256 code the CPU takes) and
# fails when an overhead is more than `tolerance_percent` (10) above the figure
# recorded in crates/sinch-auth/benches/overhead-baseline.toml.
#
#   bash .ci/bench-guard.sh            check (what .ci/run does)
#   bash .ci/bench-guard.sh --record   rewrite the recorded figures from this run:
#                                      a deliberate change, to be reviewed as such
#
# Installs what it needs: Debian's valgrind, and gungraun-runner at the version
# of the gungraun library in Cargo.lock (cargo install --locked, skipped when
# that version is already on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bench-guard: $*" >&2; }

mode=check
case "${1:-}" in
    "") ;;
    --record) mode=record ;;
    *) say "usage: bash .ci/bench-guard.sh [--record]"; exit 2 ;;
esac

as_root() { if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi; }
if ! command -v valgrind >/dev/null; then
    say "installing valgrind"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

# The runner must match the library exactly; Cargo.lock is the one place that
# says which version that is.
version="$(awk '/^name = "gungraun"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
[[ -n "$version" ]] || { say "no gungraun in Cargo.lock"; exit 1; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [[ "$(gungraun-runner --version 2>/dev/null)" != "gungraun-runner $version" ]]; then
    say "installing gungraun-runner $version"
    cargo install --locked --quiet gungraun-runner --version "$version"
fi
GUNGRAUN_RUNNER="$(command -v gungraun-runner)"
export GUNGRAUN_RUNNER

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
# One JSON line per bench on stdout; the human summary goes to stderr.
cargo bench --quiet -p sinch-auth --bench instructions -- --output-format=json >"$results"

python3 - "$mode" "$results" <<'PY'
import json
import re
import sys
import tomllib
from pathlib import Path

mode, results = sys.argv[1], sys.argv[2]
crate = Path("crates/sinch-auth")
recorded_path = crate / "benches/overhead-baseline.toml"
bench_src = (crate / "benches/instructions.rs").read_text()

# Each bench repeats its operation CALLS times; the counts are per call below.
calls = int(re.search(r"^const CALLS: usize = (\d+);", bench_src, re.M).group(1))

def instructions(line):
    bench = json.loads(line)
    metrics = bench["profiles"][0]["summaries"]["total"]["summary"]["Callgrind"]["Ir"]["metrics"]
    # {"Left": this run} on a first run, {"Both": [this run, previous]} after.
    (side, value), = metrics.items()
    this_run = value[0] if side == "Both" else value
    return bench["function_name"], this_run["Int"] / calls

counts = dict(instructions(l) for l in Path(results).read_text().splitlines() if l.strip())
ops = {}
for credential in ("ticket", "token"):
    base = counts[f"{credential}_hmac_baseline"]
    for op in ("mint", "verify"):
        ops[f"{credential}/{op}"] = (counts[f"{credential}_{op}"], base)

if mode == "record":
    lines = [
        "# Instructions per call of our own work, count(op) - count(hmac_baseline),",
        "# from `.ci/bench-guard.sh --record` (benches/instructions.rs on callgrind).",
        "# .ci/bench-guard.sh fails when a measured overhead exceeds its figure by more",
        "# than tolerance_percent. Changing a figure is a deliberate, reviewed change:",
        "# say why in the commit (docs/performance.md, \"Instruction counts\").",
        "",
        "tolerance_percent = 10",
        "",
        "[overhead]",
    ]
    lines += [f'"{op}" = {round(c - b)}' for op, (c, b) in ops.items()]
    recorded_path.write_text("\n".join(lines) + "\n")
    print(f"bench-guard: recorded {recorded_path}")
    sys.exit(0)

recorded = tomllib.loads(recorded_path.read_text())
tolerance = recorded["tolerance_percent"]
print(f"{'operation':<14} {'count':>9} {'baseline':>9} {'overhead':>9} {'recorded':>9} {'change':>8}  (instructions per call)")
failed = []
for op, (count, base) in ops.items():
    overhead = count - base
    figure = recorded["overhead"][op]
    change = 100 * (overhead - figure) / figure
    verdict = ""
    if change > tolerance:
        failed.append(op)
        verdict = f"  FAIL: more than {tolerance} % over the recorded figure"
    elif change < -tolerance:
        verdict = "  (well below: record the new figure if this is a lasting gain)"
    print(f"{op:<14} {count:>9.0f} {base:>9.0f} {overhead:>9.0f} {figure:>9} {change:>+7.1f}%{verdict}")
if failed:
    print(f"our overhead grew in {', '.join(failed)}: find the cause (callgrind_annotate "
          f"on the profiles in target/gungraun/), or record new figures deliberately "
          f"with `bash .ci/bench-guard.sh --record`")
print(f"bench-guard: {len(ops) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
