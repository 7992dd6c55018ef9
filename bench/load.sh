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
# Knobs (environment): DURATION (seconds per endpoint, default 10),
# CONNECTIONS (default 32), THREADS (wrk threads, default 2),
# CARGO_TARGET_DIR (default target).
#
# Until `sinch-auth serve` is wired into the CLI, the server is the
# service crate's `serve` example, which takes the same arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
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
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release --quiet -p sinch-auth-service --example serve
SERVER=$TARGET_DIR/release/examples/serve

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
    "$SERVER" --caller-auth api-key \
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

declare -A rps p50 p99 errors
run() { # name url script
    local name=$1 url=$2 script=$3 line requests duration
    echo "wrk: $name for ${DURATION}s…" >&2
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" | grep '^RESULT')
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
    duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$line")
    rps[$name]=$(python3 -c "print(round($requests / ($duration / 1e6)))")
    p50[$name]=$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line")
    p99[$name]=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
    errors[$name]=$(( $(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$line") + $(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$line") ))
}
run livez "http://127.0.0.1:$admin_port/livez" "$work/report.lua"
run registration-tokens "http://127.0.0.1:$api_port/v1/registration-tokens" "$work/tokens.lua"
run tickets "http://127.0.0.1:$api_port/v1/tickets" "$work/tickets.lua"

rss_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
audit_lines=$(grep -c '"sinch_auth::audit"' "$work/server.log" || true)

fail=0
check() { # description condition
    if python3 -c "import sys; sys.exit(0 if ($2) else 1)"; then
        printf '  PASS  %s\n' "$1"
    else
        printf '  FAIL  %s\n' "$1"
        fail=1
    fi
}

printf '\nToken service load test: %ss per endpoint, %s connections, %s wrk threads, %s cores\n' \
    "$DURATION" "$CONNECTIONS" "$THREADS" "$(nproc)"
printf '%-34s %10s %9s %9s %8s %10s\n' endpoint req/s p50_ms p99_ms errors vs_livez
for name in livez registration-tokens tickets; do
    ratio=$(python3 -c "print(f'{${rps[$name]} / ${rps[livez]} * 100:.0f} %')")
    printf '%-34s %10s %9s %9s %8s %10s\n' "$name" "${rps[$name]}" \
        "$(python3 -c "print(f'{${p50[$name]}/1000:.2f}')")" \
        "$(python3 -c "print(f'{${p99[$name]}/1000:.2f}')")" \
        "${errors[$name]}" "$ratio"
done
printf 'peak RSS (VmHWM): %s KiB (%.1f MiB); audit lines written: %s\n\n' \
    "$rss_kib" "$(python3 -c "print($rss_kib/1024)")" "$audit_lines"

for name in registration-tokens tickets; do
    check "$name throughput >= 60 % of /livez" "${rps[$name]} >= 0.6 * ${rps[livez]}"
    check "$name p99 <= 10 ms" "${p99[$name]} <= 10000"
done
for name in livez registration-tokens tickets; do
    check "$name: zero errors" "${errors[$name]} == 0"
done
check "peak RSS <= 64 MiB" "$rss_kib <= 65536"
exit $fail
