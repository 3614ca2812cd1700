#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the tests: initdb in a temp dir as
# the postgres user, listening on 127.0.0.1 on a free port (and a Unix socket
# in the dir), fsync left on. Prints two lines for eval:
#   export DESKGATE_TEST_PG=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#   export DESKGATE_TEST_PG_DIR=DIR
# Stop it with: scripts/pg-cluster.sh stop DIR (pg_ctl -m immediate stop).
# DESKGATE_PG_OPTS adds server options (bench/smtp-inbound-nodes.sh loads
# pg_stat_statements with it).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = stop ]; then
  as_pg "$bin/pg_ctl" -D "$2/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$2"
  exit 0
fi
dir=$(mktemp -d /tmp/deskgate-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
as_pg "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 ${DESKGATE_PG_OPTS:-}" >/dev/null
echo "export DESKGATE_TEST_PG='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
echo "export DESKGATE_TEST_PG_DIR='$dir'"
