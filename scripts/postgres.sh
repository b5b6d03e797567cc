#!/usr/bin/env bash
# A local PostgreSQL 15 for the database samples, from Debian's server binaries (bash scripts/install-deps.sh installs
# them): trust authentication on 127.0.0.1, so the samples' default password "postgres" is accepted as any other.
#   bash scripts/postgres.sh start [port]   initialises (once) and starts it; creates database testdb (default port 5432)
#   bash scripts/postgres.sh stop           stops it (data kept)
#   bash scripts/postgres.sh destroy        stops it and deletes its data
# Data lives in $PG_DIR (default /tmp/maintenance-actors-pg). PostgreSQL refuses to run as root, so under root the
# server runs as the 'postgres' OS user.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
dir=${PG_DIR:-/tmp/maintenance-actors-pg}
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL 15 server binaries missing ($bin): run bash scripts/install-deps.sh" >&2; exit 1; }
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
start)
  port=${2:-5432}
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir/data"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
    chmod 700 "$dir/data"
    as_server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  if as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port=$(sed -n 4p "$dir/data/postmaster.pid")   # already running: keep its port
  else
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null
  fi
  as_server "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'testdb'" | grep -q 1 \
    || as_server "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE testdb"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir/data; log $dir/server.log)";;
stop)
  as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null && echo "stopped";;
destroy)
  as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" && echo "destroyed $dir";;
*)
  sed -n '2,8p' "$0" >&2; exit 2;;
esac
