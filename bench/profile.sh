#!/usr/bin/env bash
# Where the token service's CPU goes per request: `perf record` (DWARF
# call graphs) of the release server under wrk load, for the ticket
# endpoint and for the fair ceiling (the same wrk script against
# `POST /livez` on the admin port, which answers 405 and does nothing
# else), each sample put in the category of its nearest recognisable frame
# (bench/profile_categories.py), and shown as microseconds of server CPU
# per request side by side. Bounded in time; servers on 127.0.0.1.
#
# Needs perf (linux-perf) and wrk; run as root or with
# kernel.perf_event_paranoid <= 1. Knobs: DURATION (seconds per profile,
# default 5), ROUNDS (alternations of ceiling and endpoint, 3), CONNECTIONS (64), FREQ (sampling Hz, 499), BENCH_LOG (the
# server's log level, default info: audit lines on), ENDPOINT (default
# tickets; or registration-tokens), SERVER (default: build and use
# target/release/sinch-auth), KEEP (a directory to keep the perf scripts in).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
FREQ=${FREQ:-499}
ENDPOINT=${ENDPOINT:-tickets}
for tool in perf wrk; do
    command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install linux-perf wrk)" >&2; exit 2; }
done
if [ -z "${SERVER:-}" ]; then
    cargo build --release --quiet -p sinch-auth-cli
    SERVER=${CARGO_TARGET_DIR:-target}/release/sinch-auth
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.script "$work"/*.requests "$KEEP"/; fi
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(free_port)
admin_port=$(free_port)
api_key=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')

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
    curl -fsS "http://127.0.0.1:$admin_port/livez" >/dev/null 2>&1 && break
    sleep 0.1
done

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $api_key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"userId":"bench-user"}'
LUA

profile() { # name url
    echo "profiling $1 for ${DURATION}s (round $round)…" >&2
    # perf records the server only, for exactly as long as wrk runs.
    perf record -q -o "$work/$1.data" -F "$FREQ" --call-graph dwarf,16384 -p "$server_pid" -- \
        wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$work/post.lua" "$2" >"$work/$1.wrk" 2>/dev/null
    perf script -i "$work/$1.data" -F ip,sym --no-inline 2>/dev/null >>"$work/$1.script"
    awk '/requests in/ {print $1}' "$work/$1.wrk" >>"$work/$1.requests"
    cut -d' ' -f1 /proc/loadavg >>"$work/load"
}
# Warm up (connections, allocator), then the ceiling and the endpoint in
# alternation, so that both see the same background load.
wrk -t2 -c"$CONNECTIONS" -d2s -s "$work/post.lua" "http://127.0.0.1:$api_port/v1/$ENDPOINT" >/dev/null
for round in $(seq "$ROUNDS"); do
    profile ceiling "http://127.0.0.1:$admin_port/livez"
    profile endpoint "http://127.0.0.1:$api_port/v1/$ENDPOINT"
done

total() { awk '{ s += $1 } END { print s }' "$1"; }
echo "$ROUNDS rounds of ${DURATION}s each; 1-minute load average during them: $(sort -n "$work/load" | sed -n '1p;$p' | paste -sd-)"
python3 bench/profile_categories.py "$FREQ" \
    "POST /livez (405)=$work/ceiling.script=$(total "$work/ceiling.requests")" \
    "POST /v1/$ENDPOINT=$work/endpoint.script=$(total "$work/endpoint.requests")"
