#!/usr/bin/env bash
# Fuzzing in CI: every cargo-fuzz target of the core (crates/sinch-auth/fuzz)
# and of the service's parsers (crates/sinch-auth-service/fuzz: forwarded
# headers, cookies, the JWT header pre-check, configuration values) runs for
# FUZZ_SECONDS (default 25) each; any crash fails the run and leaves the input
# in <fuzz dir>/artifacts/. Installs cargo-fuzz if missing. On a stable
# toolchain RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the unstable flags it needs.
# Prints executions per second and total executions per target (recorded in
# docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-25}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

# AddressSanitizer for the core (it is small); none for the service, whose
# code forbids `unsafe` and whose dependency tree would take many minutes to
# build instrumented: panics are what the fuzzer looks for there.
TARGETS=(
  "crates/sinch-auth address verify_ticket"
  "crates/sinch-auth address verify_token"
  "crates/sinch-auth address decode"
  "crates/sinch-auth-service none forwarded_headers"
  "crates/sinch-auth-service none cookies"
  "crates/sinch-auth-service none jwt_header"
  "crates/sinch-auth-service none config_values"
)

summary=()
for entry in "${TARGETS[@]}"; do
  read -r dir sanitizer target <<<"$entry"
  log=$(mktemp)
  echo "=== fuzz $target ($dir, sanitizer $sanitizer, ${FUZZ_SECONDS} s) ==="
  if ! (cd "$dir" && cargo fuzz run --sanitizer "$sanitizer" -O "$target" -- \
        -max_total_time="$FUZZ_SECONDS" -max_len=4096 -print_final_stats=1) >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target failed (crash input in $dir/fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  per_sec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    tail -n 40 "$log"
    echo "fuzz target $target printed no statistics" >&2
    exit 1
  fi
  rm -f "$log"
  summary+=("$(printf '%-20s %12s execs  %8s exec/s' "$target" "$execs" "$per_sec")")
done

echo
echo "fuzzing summary (${FUZZ_SECONDS} s per target, no crash):"
printf '  %s\n' "${summary[@]}"
