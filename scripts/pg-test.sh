#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL 15 server on 127.0.0.1 for the test suite.
# initdb must run as the 'postgres' user in a folder that user owns.
set -euo pipefail
cmd="${1:-start}"
PORT="${SOZIALMONITOR_PG_PORT:-54329}"
ROOT="${SOZIALMONITOR_PG_ROOT:-/tmp/sozialmonitor-pg-$PORT}"
BIN="$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)"
[ -n "$BIN" ] || { echo "PostgreSQL 15 binaries not found (apt-get install postgresql-15)"; exit 1; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
case "$cmd" in
  start)
    if [ -f "$ROOT/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
      echo "PostgreSQL already running on 127.0.0.1:$PORT"; exit 0
    fi
    mkdir -p "$ROOT"; chown postgres:postgres "$ROOT"
    if [ ! -f "$ROOT/data/PG_VERSION" ]; then
      as_pg "$BIN/initdb" -D "$ROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PORT -k $ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    for db in sozialmonitor_test; do
      as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
        | grep -q 1 || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
    done
    echo "PostgreSQL running on 127.0.0.1:$PORT"
    ;;
  stop)
    [ -d "$ROOT/data" ] && as_pg "$BIN/pg_ctl" -D "$ROOT/data" -m fast stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
