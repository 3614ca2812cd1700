#!/usr/bin/env bash
# Inbound SMTP benchmark: messages per second accepted durably (250 after
# fsync) with 20 concurrent sessions of 2 KB messages, driven by Postfix's
# smtp-source, and the time from the final dot to the 250 (p50/p99, from
# deskgate's deskgate_smtp_dot_to_reply_seconds histogram and from the Go
# driver bench/smtpload, which measures both servers alike), compared in
# the same run with a private Postfix instance as the MX (virtual Maildir
# delivery, queue fsynced before its 250).
#
#   bench/smtp-inbound.sh            # 10,000 messages (MESSAGES=n to change)
#
# Needs: go, smtp-source and postfix (package postfix), /usr/bin/python3.
# Postfix's master runs as root (it drops to the postfix user); without
# root the Postfix half is skipped. Everything listens on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MESSAGES=${MESSAGES:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2000}
LOADMSGS=${LOADMSGS:-3000}
W=$(mktemp -d /tmp/dg-bench.XXXXXX)
chmod 755 "$W" # Postfix daemons (user postfix) must traverse it
DGPID=""; PFCONF=""
cleanup() {
	[[ -n "$DGPID" ]] && kill "$DGPID" 2>/dev/null && wait "$DGPID" 2>/dev/null || true
	[[ -n "$PFCONF" ]] && postfix -c "$PFCONF" stop >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
PY=/usr/bin/python3
freeport() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { $PY -c "import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print('%.0f' % (n/(b-a)))" "$@"; }

(cd "$ROOT" && go build -o "$W/deskgate" ./cmd/deskgate && go build -o "$W/smtpload" ./bench/smtpload)
echo "machine: $(nproc) cores; $MESSAGES messages of $SIZE bytes over $SESSIONS sessions"

# --- deskgate ---
SMTP=$(freeport); HTTP=$(freeport)
DESKGATE_DATA_DIR="$W/dg" DESKGATE_SMTP_ADDR=127.0.0.1:$SMTP DESKGATE_HTTP_ADDR=127.0.0.1:$HTTP \
DESKGATE_DOMAINS=support.test DESKGATE_FLOOD_LIMIT=0 "$W/deskgate" serve 2>"$W/dg.log" &
DGPID=$!
for _ in $(seq 1 300); do grep -q 'deskgate ready' "$W/dg.log" && break; sleep 0.1; done
grep -q 'deskgate ready' "$W/dg.log" || { tail "$W/dg.log"; exit 1; }
t0=$(now)
smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f a@x.test -t support@support.test 127.0.0.1:$SMTP
t1=$(now)
curl -fsS "http://127.0.0.1:$HTTP/metrics" >"$W/metrics"
$PY - "$W/metrics" "$MESSAGES" "$(rate "$MESSAGES" "$t0" "$t1")" <<'PYEOF'
import sys, re
text = open(sys.argv[1]).read()
want, rate = int(sys.argv[2]), sys.argv[3]
acc = int(float(re.search(r'^deskgate_smtp_messages_accepted_total (\S+)', text, re.M).group(1)))
buckets = [(float(le), float(v)) for le, v in re.findall(r'^deskgate_smtp_dot_to_reply_seconds_bucket\{le="([^"+]+)"\} (\S+)', text, re.M)]
count = float(re.search(r'^deskgate_smtp_dot_to_reply_seconds_count (\S+)', text, re.M).group(1))
def q(p):
    target, prev_le, prev_c = p * count, 0.0, 0.0
    for le, c in buckets:
        if c >= target:
            return (prev_le + (le - prev_le) * ((target - prev_c) / max(c - prev_c, 1e-9))) * 1000
        prev_le, prev_c = le, c
    return float("inf")
print("deskgate  smtp-source: %s msg/s accepted durably (%d/%d answered 250); dot->250 p50 %.2f ms p99 %.2f ms (histogram)" % (rate, acc, want, q(0.5), q(0.99)))
if acc != want:
    sys.exit("deskgate accepted %d of %d" % (acc, want))
PYEOF
echo -n "deskgate  smtpload:    "; "$W/smtpload" -addr 127.0.0.1:$SMTP -s "$SESSIONS" -m "$LOADMSGS" -l "$SIZE"
kill -TERM "$DGPID"; wait "$DGPID" || true; DGPID=""

# --- Postfix as the MX ---
if [[ $(id -u) -ne 0 ]] || ! command -v postfix >/dev/null; then
	echo "postfix: skipped (needs root and the postfix package)"; exit 0
fi
PFCONF=$W/pf/etc; PORT=$(freeport)
mkdir -p "$PFCONF" "$W/pf/queue" "$W/pf/data" "$W/pf/mail"
chown postfix "$W/pf/data"; chown nobody:nogroup "$W/pf/mail"
cat >"$PFCONF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $W/pf/queue
data_directory = $W/pf/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.support.test
mydestination =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = support.test
virtual_mailbox_base = $W/pf/mail
virtual_mailbox_maps = static:support/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
alias_maps =
alias_database =
smtpd_banner = mx.support.test ESMTP

CF
awk -v port="$PORT" '
	/^smtp[ \t]+inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
	/^[a-z0-9]/ && NF >= 8 { $5 = "n" }
	{ print }' /etc/postfix/master.cf >"$PFCONF/master.cf"
postfix -c "$PFCONF" check >/dev/null 2>&1 || true
postfix -c "$PFCONF" start >/dev/null 2>&1 || { echo "postfix: did not start"; exit 1; }
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
t0=$(now)
smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f a@x.test -t support@support.test 127.0.0.1:$PORT
t1=$(now)
delivered() { find "$W/pf/mail/support/new" -type f 2>/dev/null | wc -l; }
for _ in $(seq 1 1200); do [[ $(delivered) -ge $MESSAGES ]] && break; sleep 0.25; done
t2=$(now)
echo "postfix   smtp-source: $(rate "$MESSAGES" "$t0" "$t1") msg/s accepted durably; $(delivered)/$MESSAGES delivered to Maildir, $(rate "$(delivered)" "$t0" "$t2") msg/s accepted+delivered"
echo -n "postfix   smtpload:    "; "$W/smtpload" -addr 127.0.0.1:$PORT -s "$SESSIONS" -m "$LOADMSGS" -l "$SIZE"
