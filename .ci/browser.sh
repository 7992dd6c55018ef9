#!/usr/bin/env bash
# Browser test: the page that `sinch-auth serve` shows at GET /, driven in
# Debian's headless Chromium by tests/browser/page.test.mjs (playwright-core).
# Installs what is missing, starts the server on a free loopback port with a
# throw-away database, waits for the page, runs the test, and always stops the
# server. Screenshots and the server log land in tests/browser/output/.
#
# SERVER_CMD says how to start the server. It runs under bash with PORT,
# ADMIN_PORT and DATA_DIR exported (single-quote it so they expand there):
#   SERVER_CMD='target/release/sinch-auth serve --listen 127.0.0.1:$PORT' .ci/browser.sh
# Only while working on the page, without the real accounts API:
#   SERVER_CMD='python3 tests/browser/mock_server.py --port $PORT' .ci/browser.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export CHROMIUM_PATH

if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
ADMIN_PORT=$(free_port)
DATA_DIR=$(mktemp -d)
export PORT ADMIN_PORT DATA_DIR
BASE_URL="http://127.0.0.1:$PORT/"

# Development settings: throw-away Sinch credentials kept in the database, open sign-up;
# the session cookie is Secure, which browsers accept from http://127.0.0.1.
: "${SERVER_CMD:=SINCH_AUTH_ENV=development cargo run --release --quiet -- serve \
--listen 127.0.0.1:\$PORT --admin-listen 127.0.0.1:\$ADMIN_PORT \
--database-url sqlite://\$DATA_DIR/accounts.db}"

OUTPUT=tests/browser/output
mkdir -p "$OUTPUT"
SERVER_LOG=$OUTPUT/server.log

# Own process group, so stopping it also stops what it spawned (cargo run -> server).
setsid bash -c "$SERVER_CMD" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

stop_server() {
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$DATA_DIR"
}
trap stop_server EXIT

show_server_log() {
  echo "--- last lines of $SERVER_LOG ---"
  tail -n 40 "$SERVER_LOG" || true
}

# `cargo run` may have to build first, hence the generous limit.
deadline=$((SECONDS + ${SERVER_WAIT_SECS:-900}))
until curl -fsS -o /dev/null --max-time 2 "$BASE_URL" 2>/dev/null; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited before serving $BASE_URL" >&2
    show_server_log
    exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "the server did not serve $BASE_URL within ${SERVER_WAIT_SECS:-900} s" >&2
    show_server_log
    exit 1
  fi
  sleep 1
done
echo "server up at $BASE_URL"

status=0
(cd tests/browser && BASE_URL=$BASE_URL node --test page.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  show_server_log
fi
echo "screenshots: $(ls "$OUTPUT"/*.png 2>/dev/null | tr '\n' ' ')"
exit "$status"
