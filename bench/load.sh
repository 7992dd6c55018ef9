#!/usr/bin/env bash
# Load test of the token service on loopback, bounded in time.
#
# Builds the release server, starts it twice on 127.0.0.1 with a throw-away
# application secret: in api-key mode, and in accounts mode (the default) on
# a temporary SQLite database with one signed-up user. Drives both with wrk
# and reports in one run the throughput and p50/p99 latency of
#   GET  /livez                    (admin port: the baseline)
#   POST /v1/registration-tokens   (api-key mode)
#   POST /v1/tickets               (api-key mode)
#   POST /v1/tickets               (accounts mode: session cookie, checked in the database)
#   POST /v1/login                 (accounts mode: Argon2id; logins per second)
# plus each server's peak RSS (VmHWM), then checks the goals:
#   each api-key credential endpoint >= 60 % of /livez throughput, p99 <= 10 ms;
#   session-authenticated tickets >= 40 % of /livez throughput;
#   zero errors everywhere; api-key server peak RSS <= 64 MiB.
# Logins are reported, not judged: their cost is the password hash, by design.
# Exit status 0 when every goal is met, 1 otherwise.
#
# Knobs (environment): DURATION (seconds per endpoint and round, default
# 5), ROUNDS (default 3; the endpoints are interleaved round by round),
# CONNECTIONS (default 32), THREADS (wrk threads, default 2),
# LOGIN_CONNECTIONS (default 4: logins queue for a hashing slot anyway),
# CARGO_TARGET_DIR (default target).
#
# Until `sinch-auth serve` is wired into the CLI, the server is the
# service crate's `serve` example, which takes the same arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-4}
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
accounts_pid=""
cleanup() {
    for pid in $server_pid $accounts_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
api_port=$(free_port)
admin_port=$(free_port)
accounts_port=$(free_port)
accounts_admin_port=$(free_port)
api_key=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
app_secret=$(head -c 16 /dev/urandom | base64)

# Rate limits off: every request comes from 127.0.0.1 and one user.
# Logs at the default level, so the audit line of every credential is
# written (to a file, as a log collector would read it).
SINCH_APPLICATION_KEY=bench-application-key \
SINCH_APPLICATION_SECRET=$app_secret \
SINCH_AUTH_API_KEYS=$api_key \
SINCH_AUTH_RATE_LIMIT_PER_IP=0 \
SINCH_AUTH_RATE_LIMIT_PER_USER=0 \
SINCH_AUTH_LOG_FORMAT=json \
SINCH_AUTH_LOG=${BENCH_LOG:-info} \
    "$SERVER" serve --caller-auth api-key \
    --listen "127.0.0.1:$api_port" --admin-listen "127.0.0.1:$admin_port" \
    2>"$work/server.log" &
server_pid=$!

# Accounts mode, all limits off (one user, one address), same logging.
SINCH_APPLICATION_KEY=bench-application-key \
SINCH_APPLICATION_SECRET=$app_secret \
SINCH_AUTH_DATABASE_URL="sqlite://$work/accounts.db" \
SINCH_AUTH_RATE_LIMIT_PER_IP=0 \
SINCH_AUTH_RATE_LIMIT_PER_USER=0 \
SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP=0 \
SINCH_AUTH_LOGIN_RATE_LIMIT_PER_USERNAME=0 \
SINCH_AUTH_LOG_FORMAT=json \
SINCH_AUTH_LOG=${BENCH_LOG:-info} \
    "$SERVER" serve \
    --listen "127.0.0.1:$accounts_port" --admin-listen "127.0.0.1:$accounts_admin_port" \
    2>"$work/accounts.log" &
accounts_pid=$!

wait_ready() { # admin_port log
    for _ in $(seq 100); do
        if curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then return; fi
        sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null || {
        echo "the server did not become ready:" >&2
        cat "$2" >&2
        exit 1
    }
}
wait_ready "$admin_port" "$work/server.log"
wait_ready "$accounts_admin_port" "$work/accounts.log"

accounts_url="http://127.0.0.1:$accounts_port"
credentials='{"username":"bench-user","password":"bench password 0123"}'
curl -fsS -o /dev/null "$accounts_url/v1/accounts" -H 'Content-Type: application/json' -d "$credentials"
session_cookie=$(curl -fsS -o /dev/null -D - "$accounts_url/v1/login" \
    -H 'Content-Type: application/json' -d "$credentials" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
[ -n "$session_cookie" ] || { echo "login did not set a session cookie" >&2; exit 1; }

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
cat >"$work/session-tickets.lua" <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "$session_cookie"
wrk.headers["Origin"] = "$accounts_url"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{}'
$(cat "$work/report.lua")
LUA
cat >"$work/logins.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$credentials'
$(cat "$work/report.lua")
LUA

run() { # name url script [connections]
    echo "wrk: round $round, $1 for ${DURATION}s…" >&2
    wrk -t"$THREADS" -c"${4:-$CONNECTIONS}" -d"${DURATION}s" --latency -s "$3" "$2" \
        | sed -n "s/^RESULT /$1 /p" >>"$work/results"
}
# Rounds interleave the endpoints, so that a change in background load on
# the machine affects them alike and the ratios stay fair.
for round in $(seq "$ROUNDS"); do
    run livez "http://127.0.0.1:$admin_port/livez" "$work/report.lua"
    run registration-tokens "http://127.0.0.1:$api_port/v1/registration-tokens" "$work/tokens.lua"
    run tickets "http://127.0.0.1:$api_port/v1/tickets" "$work/tickets.lua"
    run session-tickets "$accounts_url/v1/tickets" "$work/session-tickets.lua"
    run logins "$accounts_url/v1/login" "$work/logins.lua" "$LOGIN_CONNECTIONS"
done

rss_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
accounts_rss_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$accounts_pid/status")
audit_lines=$(grep -c '"sinch_auth::audit"' "$work/server.log" || true)

python3 - "$work/results" "$rss_kib" "$audit_lines" "$DURATION" "$ROUNDS" "$CONNECTIONS" "$THREADS" \
    "$accounts_rss_kib" "$LOGIN_CONNECTIONS" "$(nproc)" <<'PY'
import statistics, sys
path, rss_kib, audit, duration, rounds, connections, threads, accounts_rss_kib, login_connections, cpus = sys.argv[1:]
rss_kib, audit, accounts_rss_kib = int(rss_kib), int(audit), int(accounts_rss_kib)
runs = {}
for line in open(path):
    name, *fields = line.split()
    runs.setdefault(name, []).append({k: int(v) for k, v in (f.split("=") for f in fields)})
order = ["livez", "registration-tokens", "tickets", "session-tickets", "logins"]
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
      f"{connections} connections ({login_connections} for logins), {threads} wrk threads, {cpus} CPUs")
print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs /livez':>11}")
for name in order:
    s = summary[name]
    print(f"{name:<28}{s['rps']:>10.0f}{s['p50']:>9.2f}{s['p99']:>9.2f}{s['errors']:>8}{s['rps'] / base:>10.1%}")
print(f"peak RSS (VmHWM): api-key server {rss_kib / 1024:.1f} MiB, accounts server {accounts_rss_kib / 1024:.1f} MiB; "
      f"audit lines written (api-key server): {audit} "
      f"(credentials issued: {summary['registration-tokens']['requests'] + summary['tickets']['requests']})")
print(f"logins per second (Argon2id m=19 MiB t=2 p=1, session and both credentials included): "
      f"{summary['logins']['rps']:.1f}\n")
checks = []
for name in ["registration-tokens", "tickets"]:
    s = summary[name]
    checks.append((f"{name} throughput >= 60 % of /livez", s["rps"] >= 0.6 * base))
    checks.append((f"{name} p99 <= 10 ms", s["p99"] <= 10))
checks.append(("session-tickets throughput >= 40 % of /livez", summary["session-tickets"]["rps"] >= 0.4 * base))
for name in order:
    checks.append((f"{name}: zero errors", summary[name]["errors"] == 0))
checks.append(("api-key server peak RSS <= 64 MiB", rss_kib <= 64 * 1024))
for text, ok in checks:
    print(f"  {'PASS' if ok else 'FAIL'}  {text}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
