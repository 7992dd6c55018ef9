#!/usr/bin/env bash
# Load test of the token service (api-key mode) on loopback, bounded in time.
#
# Builds the release server, starts it on 127.0.0.1 with a throw-away
# application secret and API key, drives it with wrk, and reports in one run
# the throughput and p50/p99 latency of
#   GET  /livez                    (admin port: the baseline)
#   POST /v1/registration-tokens   (api-key mode)
#   POST /v1/tickets               (api-key mode)
# plus the server's peak RSS (VmHWM), then checks the goals:
#   each credential endpoint >= 60 % of /livez throughput, p99 <= 10 ms,
#   zero errors, peak RSS <= 64 MiB.
# Exit status 0 when every goal is met, 1 otherwise.
#
# Knobs (environment): DURATION (seconds per endpoint and round, default
# 5), ROUNDS (default 3; the endpoints are interleaved round by round),
# CONNECTIONS (default 32), THREADS (wrk threads, default 2),
# CARGO_TARGET_DIR (default target).
#
# Until `sinch-auth serve` is wired into the CLI, the server is the
# service crate's `serve` example, which takes the same arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

if ! command -v wrk >/dev/null; then
    echo "wrk not found; installing Debian's wrk" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "run as root or install wrk (apt-get install wrk)" >&2
        exit 2
    fi
fi

echo "building the release server…" >&2
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --quiet -p sinch-auth-cli
SERVER=$TARGET_DIR/release/sinch-auth

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
api_port=$(free_port)
admin_port=$(free_port)
api_key=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')

# Rate limits off: every request comes from 127.0.0.1 and one user.
# Logs at the default level, so the audit line of every credential is
# written (to a file, as a log collector would read it).
SINCH_APPLICATION_KEY=bench-application-key \
SINCH_APPLICATION_SECRET=$(head -c 16 /dev/urandom | base64) \
SINCH_AUTH_API_KEYS=$api_key \
SINCH_AUTH_RATE_LIMIT_PER_IP=0 \
SINCH_AUTH_RATE_LIMIT_PER_USER=0 \
SINCH_AUTH_LOG_FORMAT=json \
SINCH_AUTH_LOG=${BENCH_LOG:-info} \
    "$SERVER" serve --caller-auth api-key \
    --listen "127.0.0.1:$api_port" --admin-listen "127.0.0.1:$admin_port" \
    2>"$work/server.log" &
server_pid=$!

for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null || {
    echo "the server did not become ready:" >&2
    cat "$work/server.log" >&2
    exit 1
}

cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d socket_errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
LUA
post_script() {
    cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $api_key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"userId":"bench-user"}'
$(cat "$work/report.lua")
LUA
}
post_script tokens
post_script tickets

run() { # name url script
    echo "wrk: round $round, $1 for ${DURATION}s…" >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$3" "$2" \
        | sed -n "s/^RESULT /$1 /p" >>"$work/results"
}
# Rounds interleave the endpoints, so that a change in background load on
# the machine affects them alike and the ratios stay fair.
for round in $(seq "$ROUNDS"); do
    run livez "http://127.0.0.1:$admin_port/livez" "$work/report.lua"
    run registration-tokens "http://127.0.0.1:$api_port/v1/registration-tokens" "$work/tokens.lua"
    run tickets "http://127.0.0.1:$api_port/v1/tickets" "$work/tickets.lua"
done

rss_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
audit_lines=$(grep -c '"sinch_auth::audit"' "$work/server.log" || true)

python3 - "$work/results" "$rss_kib" "$audit_lines" "$DURATION" "$ROUNDS" "$CONNECTIONS" "$THREADS" <<'PY'
import statistics, sys
path, rss_kib, audit, duration, rounds, connections, threads = sys.argv[1:]
rss_kib, audit = int(rss_kib), int(audit)
runs = {}
for line in open(path):
    name, *fields = line.split()
    runs.setdefault(name, []).append({k: int(v) for k, v in (f.split("=") for f in fields)})
order = ["livez", "registration-tokens", "tickets"]
summary = {}
for name in order:
    rs = runs[name]
    summary[name] = {
        "rps": sum(r["requests"] for r in rs) / (sum(r["duration_us"] for r in rs) / 1e6),
        "p50": statistics.median(r["p50_us"] for r in rs) / 1000,
        "p99": max(r["p99_us"] for r in rs) / 1000,
        "errors": sum(r["socket_errors"] + r["non2xx"] for r in rs),
        "requests": sum(r["requests"] for r in rs),
    }
base = summary["livez"]["rps"]
print(f"\nToken service load test: {rounds} rounds x {duration} s per endpoint, "
      f"{connections} connections, {threads} wrk threads, api-key mode")
print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs /livez':>11}")
for name in order:
    s = summary[name]
    print(f"{name:<28}{s['rps']:>10.0f}{s['p50']:>9.2f}{s['p99']:>9.2f}{s['errors']:>8}{s['rps'] / base:>10.0%}")
print(f"peak RSS (VmHWM): {rss_kib / 1024:.1f} MiB; audit lines written: {audit} "
      f"(credentials issued: {summary['registration-tokens']['requests'] + summary['tickets']['requests']})\n")
checks = []
for name in order[1:]:
    s = summary[name]
    checks.append((f"{name} throughput >= 60 % of /livez", s["rps"] >= 0.6 * base))
    checks.append((f"{name} p99 <= 10 ms", s["p99"] <= 10))
for name in order:
    checks.append((f"{name}: zero errors", summary[name]["errors"] == 0))
checks.append(("peak RSS <= 64 MiB", rss_kib <= 64 * 1024))
for text, ok in checks:
    print(f"  {'PASS' if ok else 'FAIL'}  {text}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
