#!/usr/bin/env bash
# A throw-away PostgreSQL for the storage tests, listening on 127.0.0.1 only.
#
#   bash .ci/postgres.sh [start]       install if missing, create the cluster once, start it if
#                                      stopped; prints the database URL (the only line on stdout)
#   bash .ci/postgres.sh test [ARGS]   start, then `cargo test ARGS -- --ignored` with
#                                      SINCH_AUTH_TEST_POSTGRES_URL set (ARGS default: -p sinch-auth-store)
#   bash .ci/postgres.sh stop          stop the server (the data stays for a quick next start)
#   bash .ci/postgres.sh url           print the URL without starting anything
#   source .ci/postgres.sh             start, and export SINCH_AUTH_TEST_POSTGRES_URL in this shell
#
# Settings: SINCH_AUTH_PG_PORT (default 54329), SINCH_AUTH_PG_DIR (default /tmp/sinch-auth-postgres).
# The cluster is disposable: fsync is off, and it is recreated if it cannot start.
# Re-runs with the server already up take a fraction of a second.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: do the work in a child shell so its `set -e` and variables
    # stay out of the caller's shell; keep only the URL.
    if _sinch_auth_pg_url="$(bash "${BASH_SOURCE[0]}" start)"; then
        export SINCH_AUTH_TEST_POSTGRES_URL="$_sinch_auth_pg_url"
        unset _sinch_auth_pg_url
        echo "SINCH_AUTH_TEST_POSTGRES_URL=$SINCH_AUTH_TEST_POSTGRES_URL" >&2
        return 0
    else
        unset _sinch_auth_pg_url
        return 1
    fi
fi

set -euo pipefail

PORT="${SINCH_AUTH_PG_PORT:-54329}"
BASE="${SINCH_AUTH_PG_DIR:-/tmp/sinch-auth-postgres}"
DATA="$BASE/data"
SOCKET_DIR="$BASE/socket"
SERVER_LOG="$BASE/server.log"
ROLE=sinch_auth
PASSWORD=sinch_auth_test_password
DATABASE=sinch_auth_test
URL="postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "postgres.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

# initdb and the server refuse to run as root: as root, use the `postgres`
# account the Debian packages create; otherwise run as ourselves.
if [[ "$(id -u)" == 0 ]]; then
    OWNER=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    OWNER="$(id -un)"
    as_owner() { "$@"; }
fi

find_bin_dir() {
    BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$BIN" && -x "$BIN/initdb" && -x "$BIN/pg_ctl" && -x "$BIN/psql" ]]
}

install_if_missing() {
    find_bin_dir && return
    [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed; as root run: apt-get install postgresql"
    say "installing Debian's postgresql packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql-common >&2
    # Only our own cluster is needed: don't let the server package create and
    # start Debian's default one on port 5432.
    sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
        /etc/postgresql-common/createcluster.conf
    apt-get install -y -qq --no-install-recommends postgresql >&2
    find_bin_dir || die "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb"
}

server_version() { "$BIN/pg_ctl" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/'; }

init_once() {
    if [[ -f "$DATA/PG_VERSION" && "$(cat "$DATA/PG_VERSION")" == "$(server_version)" ]]; then
        return
    fi
    say "creating a cluster in $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA" "$SOCKET_DIR"
    chown "$OWNER" "$BASE" "$DATA" "$SOCKET_DIR"
    chmod 700 "$BASE" "$DATA"
    # Local admin by OS user (peer), TCP clients by password (SCRAM), as in production.
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale --no-sync \
        --auth-local=peer --auth-host=scram-sha-256 >&2
}

has_postmaster() { as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
is_ready() { as_owner "$BIN/pg_isready" -q -h "$SOCKET_DIR" -p "$PORT" -t 2; }

start_server() {
    mkdir -p "$SOCKET_DIR"
    chown "$OWNER" "$SOCKET_DIR"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$SERVER_LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$SOCKET_DIR" \
        -o "-c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2
}

admin_sql() {
    as_owner "$BIN/psql" -h "$SOCKET_DIR" -p "$PORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -q -A -t -c "$1"
}

ensure_role_and_database() {
    if [[ "$(admin_sql "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]]; then
        admin_sql "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
    fi
    if [[ "$(admin_sql "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]; then
        admin_sql "CREATE DATABASE $DATABASE OWNER $ROLE"
    fi
}

start() {
    install_if_missing
    init_once
    # A server still starting, or one whose postmaster was just killed and is
    # not yet gone, holds the lock file: give it a moment to settle.
    for _ in $(seq 50); do
        is_ready || ! has_postmaster && break
        sleep 0.2
    done
    if ! is_ready; then
        say "starting PostgreSQL $(server_version) on 127.0.0.1:$PORT"
        if ! start_server; then
            tail -n 20 "$SERVER_LOG" >&2 || true
            say "could not start; recreating the throw-away cluster"
            as_owner "$BIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
            rm -rf "$DATA"
            init_once
            start_server || { tail -n 20 "$SERVER_LOG" >&2; die "PostgreSQL did not start"; }
        fi
    fi
    ensure_role_and_database
}

case "${1:-start}" in
    start)
        start
        echo "$URL"
        ;;
    url)
        echo "$URL"
        ;;
    stop)
        if find_bin_dir && [[ -d "$DATA" ]] && has_postmaster; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        else
            say "not running"
        fi
        ;;
    test)
        shift
        start
        [[ $# -gt 0 ]] || set -- -p sinch-auth-store
        cd "$REPO"
        say "cargo test $* -- --ignored  (SINCH_AUTH_TEST_POSTGRES_URL=$URL)"
        SINCH_AUTH_TEST_POSTGRES_URL="$URL" exec cargo test "$@" -- --ignored
        ;;
    *)
        die "unknown command '$1' (start, test, stop, url)"
        ;;
esac
