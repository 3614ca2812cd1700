#!/bin/sh
# bench/outbound.sh [N]: outbound throughput of deskgate vs Postfix, same run.
#
# 1. deskgate: bench/outboundbench enqueues N emails into a fresh store
#    (composed at enqueue), then the queue DKIM-signs them (RSA-2048 and
#    Ed25519) and delivers them over 10 concurrent connections to smtp-sink.
# 2. Postfix: a private instance (postfix -c DIR, its own queue) accepts N
#    messages of the same size from smtp-source over 10 sessions and relays
#    them to the same smtp-sink (relayhost, 10 connections per destination,
#    no signing).
# Both are timed until smtp-sink has written every message to disk.
# Needs: go, smtp-sink/smtp-source/postfix (Debian package postfix),
# /usr/bin/python3; run as root (Postfix drops to its own users).
set -eu
N=${1:-5000}
CONNS=10
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/deskgate-bench.XXXXXX)
chmod 755 "$WORK"
SINK_PID=""
PFX=""
cleanup() {
	[ -n "$PFX" ] && postfix -c "$PFX/conf" stop >/dev/null 2>&1 || true
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
	sleep 1
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
count() { find "$1" -type f | wc -l; }
wait_count() { # dir want timeout-seconds
	i=0
	while [ "$(count "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && { echo "timeout: $(count "$1") of $2 arrived" >&2; return 1; }
		sleep 0.1
	done
}

SINK_PORT=$(free_port)
mkdir "$WORK/sink1" "$WORK/sink2"
chmod 777 "$WORK/sink1" "$WORK/sink2"
echo "== smtp-sink on 127.0.0.1:$SINK_PORT; N=$N, $CONNS connections; $(nproc) cores"

# --- deskgate ---
go build -o "$WORK/outboundbench" ./bench/outboundbench
smtp-sink -u nobody -d "$WORK/sink1/%Y%m%d%H%M%S." "127.0.0.1:$SINK_PORT" 256 &
SINK_PID=$!
sleep 0.5
t0=$(now)
"$WORK/outboundbench" -n "$N" -conns "$CONNS" -smarthost "127.0.0.1:$SINK_PORT"
wait_count "$WORK/sink1" "$N" 120
t1=$(now)
SIZE=$(find "$WORK/sink1" -type f -exec cat {} + | wc -c)
SIZE=$((SIZE / N))
echo "deskgate: $N in $(echo "$t1 - $t0" | bc -l | cut -c1-6)s including store creation and enqueue; ~$SIZE bytes each as dumped by the sink"
kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true

# --- Postfix ---
smtp-sink -u nobody -d "$WORK/sink2/%Y%m%d%H%M%S." "127.0.0.1:$SINK_PORT" 256 &
SINK_PID=$!
PFX="$WORK/postfix"
PFX_PORT=$(free_port)
mkdir -p "$PFX/conf" "$PFX/queue" "$PFX/data"
chown postfix "$PFX/data"
cp /etc/postfix/master.cf "$PFX/conf/"
cat >"$PFX/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PFX/queue
data_directory = $PFX/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.localhost
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK_PORT
default_destination_concurrency_limit = $CONNS
smtp_tls_security_level = none
maillog_file = $PFX/postfix.log
maillog_file_prefixes = $PFX
CF
sed -i "s/^smtp      inet/127.0.0.1:$PFX_PORT inet/" "$PFX/conf/master.cf"
postconf -c "$PFX/conf" -F '*/*/chroot = n'
postfix -c "$PFX/conf" start >/dev/null 2>&1 || { cat "$PFX/postfix.log" >&2; exit 1; }
sleep 1
t0=$(now)
smtp-source -s "$CONNS" -m "$N" -l "$SIZE" -f bench@support.test -t customer@example.org "127.0.0.1:$PFX_PORT"
t1=$(now)
wait_count "$WORK/sink2" "$N" 300
t2=$(now)
acc=$(echo "$t1 - $t0" | bc -l)
all=$(echo "$t2 - $t0" | bc -l)
echo "postfix: accepted $N in $(echo "$acc" | cut -c1-6)s; all relayed to the sink after $(echo "$all" | cut -c1-6)s = $(echo "$N / $all" | bc) msg/s (no DKIM signing)"
