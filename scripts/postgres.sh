#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the tests (and for trying the app).
#
#   bash scripts/postgres.sh            # install if missing, initdb, start; prints the URL
#   eval "$(bash scripts/postgres.sh --export)"   # ... and sets LDN_TRACKER_TEST_PG_URL
#   bash scripts/postgres.sh --stop     # stop the server (the data directory stays)
#
# Idempotent: a second run finds the running server and prints the same URL. Progress goes to
# stderr; stdout carries only the URL (or the export line), so `$(...)` captures it cleanly.
# Settings (environment): LDN_PG_DIR (data, default /tmp/ldn-tracker-pg), LDN_PG_PORT (first
# port to try, default 54329), LDN_PG_USER / LDN_PG_PASSWORD / LDN_PG_DB (default ldn_tracker).
# The user may CREATE DATABASE (the tests make one database per test) and CREATE ROLE (it owns
# the tables, and `ldn-tracker admin` creates the group roles and the logins as the owner).
set -euo pipefail

PGDIR=${LDN_PG_DIR:-/tmp/ldn-tracker-pg}
DATA="$PGDIR/data"
PORT_FILE="$PGDIR/port"
USER_NAME=${LDN_PG_USER:-ldn_tracker}
PASSWORD=${LDN_PG_PASSWORD:-ldn_tracker}
DB_NAME=${LDN_PG_DB:-ldn_tracker}
MODE=url
case "${1:-}" in
    --export) MODE=export ;;
    --stop) MODE=stop ;;
    --url | "") ;;
    *) echo "usage: $0 [--url|--export|--stop]" >&2; exit 2 ;;
esac

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then echo "$dir"; return 0; fi
    done
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir; return 0
    fi
    return 1
}

BINDIR=$(find_bindir || true)
if [[ -z "$BINDIR" ]]; then
    if [[ $MODE == stop ]]; then log "PostgreSQL is not installed"; exit 0; fi
    log "installing PostgreSQL from the Debian packages"
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    $SUDO apt-get install -y -qq postgresql >&2
    BINDIR=$(find_bindir) || { log "no initdb after installing postgresql"; exit 1; }
fi

# initdb and postgres refuse to run as root: run them as the packages' "postgres" user.
if [[ $(id -u) -eq 0 ]]; then
    RUN_AS=postgres
    id "$RUN_AS" >/dev/null 2>&1 || useradd --system --home-dir "$PGDIR" "$RUN_AS"
    as_server() { runuser -u "$RUN_AS" -- "$@"; }
else
    RUN_AS=$(id -un)
    as_server() { "$@"; }
fi

mkdir -p "$PGDIR"
chmod 0755 "$PGDIR"
[[ $(id -u) -eq 0 ]] && chown "$RUN_AS" "$PGDIR"

running() { as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

if [[ $MODE == stop ]]; then
    if [[ -d $DATA ]] && running; then
        as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
    fi
    exit 0
fi

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

if [[ ! -f "$DATA/PG_VERSION" ]]; then
    log "initdb in $DATA"
    rm -rf "$DATA"
    PWFILE=$(mktemp)
    echo "postgres-$RANDOM$RANDOM" >"$PWFILE"
    [[ $(id -u) -eq 0 ]] && chown "$RUN_AS" "$PWFILE"
    as_server "$BINDIR/initdb" -D "$DATA" -U postgres --pwfile="$PWFILE" -A scram-sha-256 \
        --auth-local=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$PWFILE"
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PGDIR'"
        echo "max_connections = 100"
        echo "shared_buffers = 32MB"
        echo "fsync = on"
    } >>"$DATA/postgresql.conf"
    rm -f "$PORT_FILE"
fi

if ! running; then
    PORT=${LDN_PG_PORT:-54329}
    if [[ -f $PORT_FILE ]]; then PORT=$(cat "$PORT_FILE"); fi
    for _ in $(seq 1 50); do
        port_free "$PORT" && break
        PORT=$((PORT + 1))
    done
    echo "$PORT" >"$PORT_FILE"
    log "starting the server on 127.0.0.1:$PORT"
    as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -o "-p $PORT" -w -t 60 \
        start >/dev/null || { cat "$PGDIR/server.log" >&2; exit 1; }
fi
PORT=$(cat "$PORT_FILE")

psql_admin() {
    as_server "$BINDIR/psql" -h "$PGDIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -qtAX "$@"
}
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'") ]]; then
    log "creating role $USER_NAME"
    psql_admin -c "CREATE ROLE \"$USER_NAME\" LOGIN CREATEDB CREATEROLE PASSWORD '$PASSWORD'"
fi
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME' AND rolcreaterole") ]]; then
    log "letting $USER_NAME create roles (ldn-tracker admin)"
    psql_admin -c "ALTER ROLE \"$USER_NAME\" CREATEROLE"
fi
# Dropping a test's database WITH (FORCE) ends its connections, an autovacuum worker's too,
# which takes pg_signal_backend.
if [[ -z $(psql_admin -c "SELECT 1 WHERE pg_has_role('$USER_NAME', 'pg_signal_backend', 'MEMBER')") ]]; then
    log "granting pg_signal_backend to $USER_NAME"
    psql_admin -c "GRANT pg_signal_backend TO \"$USER_NAME\""
fi
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
    log "creating database $DB_NAME"
    psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$USER_NAME\""
fi

URL="postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB_NAME"
echo "$URL" >"$PGDIR/url"
if [[ $MODE == export ]]; then
    echo "export LDN_TRACKER_TEST_PG_URL='$URL'"
else
    echo "$URL"
fi
