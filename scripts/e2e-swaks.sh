#!/usr/bin/env bash
# End-to-end check of inbound mail with a real SMTP client (swaks):
# builds deskgate, starts it on 127.0.0.1 with free ports and a temporary
# data directory, sends a new mail to support@, a reply (In-Reply-To), a
# mail with an attachment, one to an unknown user and one to another
# domain, and a forged From under DMARC p=reject (DNS: a loopback zone),
# checks the SMTP replies and what the REST API shows, then stops
# it with SIGTERM. Exits non-zero on the first failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PID=""
DNSPID=""
cleanup() {
	if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	if [[ -n "$DNSPID" ]]; then kill "$DNSPID" 2>/dev/null || true; wait "$DNSPID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "e2e-swaks: FAIL: $*" >&2; [[ -f "$WORK/log" ]] && tail -20 "$WORK/log" >&2; exit 1; }
PY=/usr/bin/python3
command -v swaks >/dev/null || fail "swaks is not installed"

(cd "$ROOT" && go build -o "$WORK/deskgate" ./cmd/deskgate && go build -o "$WORK/dnstestd" ./internal/dnstest/dnstestd) || fail "build"
# deskgate's DNS (sender checks, SPEC §12) is a zone on loopback, the same on
# every machine: shop.test publishes SPF and DMARC p=reject; other names do
# not exist (DMARC none).
"$WORK/dnstestd" 'shop.test. 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"' '_dmarc.shop.test. 300 IN TXT "v=DMARC1; p=reject"' >"$WORK/dns" &
DNSPID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/dns" ]] && break; sleep 0.1; done
DNS=$(head -1 "$WORK/dns"); [[ -n "$DNS" ]] || fail "dnstestd did not start"
TOKEN=swaks-admin
TLSENV=()
# STARTTLS with a self-signed certificate, when swaks can do TLS
# (Debian: libnet-ssleay-perl) and openssl is there; skipped otherwise.
if command -v openssl >/dev/null && swaks --support 2>&1 | grep -q '=== TLS supported'; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
		-keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 || fail "openssl"
	TLSENV=(DESKGATE_TLS_CERT="$WORK/cert.pem" DESKGATE_TLS_KEY="$WORK/key.pem")
elif [[ -n "${CI:-}" && "${CI}" != false ]]; then
	fail "CI is set but the STARTTLS case cannot run (swaks without Net::SSLeay, or no openssl)"
else
	echo "e2e-swaks: STARTTLS case skipped (swaks without Net::SSLeay, or no openssl)"
fi
env DESKGATE_DATA_DIR="$WORK/data" DESKGATE_HTTP_ADDR=127.0.0.1:0 DESKGATE_SMTP_ADDR=127.0.0.1:0 \
	DESKGATE_DOMAINS=support.test DESKGATE_BOOTSTRAP_TOKEN=$TOKEN DESKGATE_FLOOD_LIMIT=0 DESKGATE_DNS="$DNS" "${TLSENV[@]}" \
	"$WORK/deskgate" serve 2>"$WORK/log" &
PID=$!
for _ in $(seq 1 300); do
	grep -q 'msg="deskgate ready"' "$WORK/log" 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || fail "deskgate exited before it was ready"
	sleep 0.1
done
READY=$(grep 'msg="deskgate ready"' "$WORK/log") || fail "deskgate not ready after 30 s"
HTTP=$(sed -E 's/.* http=([^ ]+).*/\1/' <<<"$READY")
SMTP=$(sed -E 's/.* smtp=([^ ]+).*/\1/' <<<"$READY")
HOST=${SMTP%:*}; PORT=${SMTP##*:}
echo "e2e-swaks: deskgate on smtp $SMTP http $HTTP"

# send NAME EXPECT ARGS...: swaks must show EXPECT among the server's replies.
send() {
	local name=$1 expect=$2; shift 2
	local out
	out=$(swaks --server "$HOST" --port "$PORT" --helo client.example "$@" 2>&1) || true
	grep -qF -- "$expect" <<<"$out" || { echo "$out" >&2; fail "$name: no '$expect' reply"; }
	echo "e2e-swaks: $name: $expect"
}
api() { curl -fsS -H "Authorization: Bearer $TOKEN" "http://$HTTP$1"; }

send "new mail to support@" "<-  250 2.0.0" --from carol@example.com --to support@support.test \
	--header "Subject: Printer on fire" --header "Message-Id: <swaks-1@example.com>" --header "From: Carol <carol@example.com>" \
	--body "Hello, my printer is on fire."
send "reply (In-Reply-To)" "<-  250 2.0.0" --from carol@example.com --to support@support.test \
	--header "Subject: Re: Printer on fire" --header "Message-Id: <swaks-2@example.com>" --header "In-Reply-To: <swaks-1@example.com>" \
	--body $'Still burning.\n\nOn Mon, Support wrote:\n> Try turning it off.'
printf 'PDF-ish bytes \x00\x01\x02\n' >"$WORK/invoice.pdf"
send "attachment" "<-  250 2.0.0" --from dave@example.com --to support@support.test \
	--header "Subject: Invoice" --header "Message-Id: <swaks-3@example.com>" --attach-type application/pdf --attach "$WORK/invoice.pdf" \
	--body "See the invoice."
if [[ ${#TLSENV[@]} -gt 0 ]]; then
	send "STARTTLS" "<~  250 2.0.0" -tls --from erin@example.com --to support@support.test \
		--header "Subject: Over TLS" --header "Message-Id: <swaks-tls@example.com>" --body "Encrypted."
fi
send "unknown user" "<** 550 5.1.1" --from carol@example.com --to nobody@support.test
send "another domain" "<** 550 5.7.1" --from carol@example.com --to someone@elsewhere.example

# A session's RCPT refusals are logged when it ends, a moment after swaks has
# its 221: wait (bounded) for the second rejection's entry.
for _ in $(seq 1 300); do
	api "/api/v1/maillog?direction=inbound" >"$WORK/maillog.json" || fail "GET /maillog"
	[[ $(grep -o '"status":"rejected"' "$WORK/maillog.json" | wc -l) -ge 2 ]] && break
	sleep 0.1
done
api "/api/v1/conversations" >"$WORK/convs.json" || fail "GET /conversations"
CONV=$($PY - "$WORK" <<'PYEOF' || exit 1
import json, sys
w = sys.argv[1]
log = json.load(open(w + "/maillog.json"))
if log[2]["email_message_id"] == "swaks-tls@example.com":  # the STARTTLS mail
    if log[2]["status"] != "created":
        sys.exit("STARTTLS mail: %r" % log[2])
    log = log[:2] + log[3:]
statuses = [e["status"] for e in log]
want = ["rejected", "rejected", "created", "threaded", "created"]
if statuses != want:
    sys.exit("mail log statuses %s, want %s" % (statuses, want))
if "5.7.1" not in log[0]["detail"] or "5.1.1" not in log[1]["detail"]:
    sys.exit("rejection details %r" % [log[0]["detail"], log[1]["detail"]])
if "In-Reply-To <swaks-1@example.com>" not in log[3]["detail"]:
    sys.exit("reply detail %r" % log[3]["detail"])
if log[4]["conversation_id"] != log[3]["conversation_id"]:
    sys.exit("reply in another conversation")
print(log[4]["conversation_id"], log[2]["conversation_id"], log[2]["id"])
PYEOF
) || fail "mail log"
read -r FIRST ATTCONV ATTLOG <<<"$CONV"
api "/api/v1/conversations/$FIRST/messages" >"$WORK/m1.json" || fail "messages"
api "/api/v1/conversations/$ATTCONV/messages" >"$WORK/m2.json" || fail "messages"
$PY - "$WORK" <<'PYEOF' || fail "messages"
import json, sys
w = sys.argv[1]
m1 = json.load(open(w + "/m1.json"))
if len(m1) != 2 or m1[1]["body"] != "Still burning." or m1[0]["author"]["email"] != "carol@example.com" or m1[0]["author"]["name"] != "Carol":
    sys.exit("conversation messages %r" % m1)
m2 = json.load(open(w + "/m2.json"))
att = m2[0]["attachments"]
if len(att) != 1 or att[0]["filename"] != "invoice.pdf" or att[0]["content_type"] != "application/pdf" or att[0]["size"] != 18:
    sys.exit("attachment %r" % att)
PYEOF
api "/api/v1/maillog/$ATTLOG/raw" | grep -q "Subject: Invoice" || fail "raw message download"
echo "e2e-swaks: mail log, conversations, messages, attachment and raw download check out"
send "forged From under DMARC p=reject" "<** 550 5.7.1" --from sam@shop.test --to support@support.test \
	--header "Subject: Pay here" --header "From: Sam <sam@shop.test>" --body "Forged."
api "/api/v1/maillog?direction=inbound&limit=1" | grep -q '"dmarc":"fail"' || fail "rejected forgery's auth in the mail log"

kill -TERM "$PID"
# Bounded: deskgate must be gone within 60 s of SIGTERM, else it is killed.
for _ in $(seq 600); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then kill -9 "$PID"; fail "deskgate did not stop within 60 s of SIGTERM"; fi
wait "$PID" || fail "deskgate exited non-zero after SIGTERM"
PID=""
echo "e2e-swaks: PASS"
