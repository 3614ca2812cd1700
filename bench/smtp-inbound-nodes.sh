#!/usr/bin/env bash
# Inbound SMTP durable accept rate (250 after commit) on each store, in one
# run: deskgate on bbolt, one deskgate node on PostgreSQL, two nodes on one
# PostgreSQL (the sessions split between them, as two MX records would),
# then Postfix as the MX (bench/smtp-inbound.sh's private instance), all
# driven by smtp-source with 20 sessions of 2 KB messages.
#
#   bench/smtp-inbound-nodes.sh      # 10,000 messages (MESSAGES=n to change)
#
# Needs: go, smtp-source and postfix (package postfix), postgresql,
# /usr/bin/python3; root for the PostgreSQL cluster and Postfix.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MESSAGES=${MESSAGES:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2000}
W=$(mktemp -d /tmp/dg-nodes.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[[ -n "${DESKGATE_TEST_PG_DIR:-}" ]] && "$ROOT/scripts/pg-cluster.sh" stop "$DESKGATE_TEST_PG_DIR"
	rm -rf "$W"
}
trap cleanup EXIT
PY=/usr/bin/python3
freeport() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { $PY -c "import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print('%.0f' % (n/(b-a)))" "$@"; }

(cd "$ROOT" && go build -o "$W/deskgate" ./cmd/deskgate)
eval "$(DESKGATE_PG_OPTS="-c shared_preload_libraries=pg_stat_statements" "$ROOT/scripts/pg-cluster.sh")"
echo "machine: $(nproc) cores; $MESSAGES messages of $SIZE bytes over $SESSIONS sessions"

# start NAME [ENV...]: one deskgate serve; sets PORT to its SMTP port.
start() {
	local name=$1; shift
	local http
	PORT=$(freeport); http=$(freeport)
	env DESKGATE_DATA_DIR="$W/$name" DESKGATE_SMTP_ADDR=127.0.0.1:$PORT DESKGATE_HTTP_ADDR=127.0.0.1:$http \
		DESKGATE_DOMAINS=support.test DESKGATE_FLOOD_LIMIT=0 DESKGATE_NODE_NAME="$name" "$@" \
		"$W/deskgate" serve >/dev/null 2>"$W/$name.log" &
	PIDS+=($!)
	for _ in $(seq 1 300); do grep -q 'deskgate ready' "$W/$name.log" && break; sleep 0.1; done
	grep -q 'deskgate ready' "$W/$name.log" || { tail "$W/$name.log" >&2; exit 1; }
}
stopall() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done; PIDS=(); }
newdb() {
	psql -q "$DESKGATE_TEST_PG" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	local url="${DESKGATE_TEST_PG/\/postgres\?/\/$1?}"
	psql -q "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true
	echo "$url"
}

start bolt
t0=$(now); smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f a@x.test -t support@support.test 127.0.0.1:$PORT; t1=$(now)
echo "deskgate bbolt:             $(rate "$MESSAGES" "$t0" "$t1") msg/s"
stopall

# counters: the database's statements (pg_stat_statements, without BEGIN,
# COMMIT and ROLLBACK; -1 when the extension is missing), commits and WAL
# position, for the cost per mail.
counters() {
	psql -tA "$1" -c "SELECT coalesce((SELECT sum(calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = current_database() AND s.query !~* '^\s*(begin|commit|rollback)'), -1),
		xact_commit, pg_current_wal_lsn() - '0/0' FROM pg_stat_database WHERE datname = current_database()" 2>/dev/null ||
	psql -tA "$1" -c "SELECT -1, xact_commit, pg_current_wal_lsn() - '0/0' FROM pg_stat_database WHERE datname = current_database()"
}
perMail() { $PY -c "import sys; a=sys.argv[1].split('|'); b=sys.argv[2].split('|'); n=int(sys.argv[3]); print('  (per mail: %s statements, %.2f commits, %.0f WAL bytes)' % ('%.1f' % ((float(b[0])-float(a[0]))/n) if float(a[0]) >= 0 else '?', (int(b[1])-int(a[1]))/n, (float(b[2])-float(a[2]))/n))" "$@"; }

url=$(newdb one)
start pg1 DESKGATE_DATABASE_URL="$url"
c0=$(counters "$url")
t0=$(now); smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f a@x.test -t support@support.test 127.0.0.1:$PORT; t1=$(now)
echo "deskgate PostgreSQL 1 node: $(rate "$MESSAGES" "$t0" "$t1") msg/s"
perMail "$c0" "$(counters "$url")" "$MESSAGES"
stopall

url=$(newdb two)
start pga DESKGATE_DATABASE_URL="$url"; a=$PORT
start pgb DESKGATE_DATABASE_URL="$url"; b=$PORT
half=$((MESSAGES / 2))
t0=$(now)
smtp-source -s $((SESSIONS / 2)) -m "$half" -l "$SIZE" -f a@x.test -t support@support.test 127.0.0.1:$a &
s1=$!
smtp-source -s $((SESSIONS / 2)) -m "$half" -l "$SIZE" -f b@x.test -t support@support.test 127.0.0.1:$b
wait $s1
t1=$(now)
echo "deskgate PostgreSQL 2 nodes: $(rate $((half * 2)) "$t0" "$t1") msg/s"
stopall
n=$(psql -tA "$url" -c "SELECT count(*) FROM maillog WHERE direction = 'inbound'")
echo "  (two nodes stored $n of $((half * 2)) mails)"

# Postfix in the same run.
MESSAGES=$MESSAGES SESSIONS=$SESSIONS SIZE=$SIZE LOADMSGS=1 "$ROOT/bench/smtp-inbound.sh" 2>&1 | grep -E '^postfix +smtp-source' || true
