package loopguard

import (
	"strings"
	"testing"
)

// crlf turns a readable LF fixture into a CRLF message.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func testGuard() *Guard {
	return New(Config{Hostname: "desk.example.org", Domains: []string{"example.org"}})
}

func TestClassifyBasic(t *testing.T) {
	g := testGuard()
	cases := []struct {
		name, envFrom, msg string
		want               Class
	}{
		{"human", "alice@example.com", "From: Alice <alice@example.com>\nSubject: Help\nMessage-ID: <a1@example.com>\n\nHi", Human},
		{"auto-submitted no is human", "alice@example.com", "From: alice@example.com\nAuto-Submitted: no\nSubject: x\n\nHi", Human},
		{"auto-submitted no with comment", "alice@example.com", "From: alice@example.com\nAuto-Submitted: No (typed by hand)\nSubject: x\n\nHi", Human},
		{"auto-submitted empty", "alice@example.com", "From: alice@example.com\nAuto-Submitted:\nSubject: x\n\nHi", AutoReply},
		{"own header other case", "x@example.org", "From: x@example.org\nx-deskgate-origin: DESK.example.org\n\nHi", Own},
		{"own header of another host", "x@example.net", "From: x@example.net\nX-Deskgate-Origin: desk.example.net\n\nHi", Human},
		{"auto-submitted", "bob@example.com", "From: bob@example.com\nAuto-Submitted: auto-replied\nSubject: x\n\nHi", AutoReply},
		{"list-id", "news@example.com", "From: news@example.com\nList-Id: <news.example.com>\nSubject: x\n\nHi", List},
		{"own header", "x@example.org", "From: x@example.org\nX-Deskgate-Origin: desk.example.org\nAuto-Submitted: auto-generated\n\nHi", Own},
		{"own message-id", "x@example.org", "From: x@example.org\nMessage-ID: <dg.abc@desk.example.org>\n\nHi", Own},
		{"reply to own is human", "alice@example.com", "From: alice@example.com\nMessage-ID: <z@example.com>\nIn-Reply-To: <dg.abc@desk.example.org>\n\nThanks", Human},
		{"null sender", "", "From: x@example.com\nSubject: hello\n\nHi", Bounce},
		{"ooo subject", "carl@example.com", "From: carl@example.com\nSubject: Out of Office: Help\n\nI am away", AutoReply},
		{"human mentions auto reply", "dana@example.com", "From: dana@example.com\nSubject: Question about the auto reply feature\n\nHi", Human},
	}
	for _, c := range cases {
		v := g.Classify(c.envFrom, crlf(c.msg))
		if v.Class != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, v.Class, v.Reason, c.want)
		}
		if v.Reason == "" {
			t.Errorf("%s: empty reason", c.name)
		}
	}
}

func TestClassifyDSN(t *testing.T) {
	msg := `From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: bounce+abc@example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.com.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Original-Envelope-Id: env-42

Final-Recipient: rfc822; Nobody@Example.com
Original-Recipient: rfc822;nobody@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address rejected

--B
Content-Type: text/rfc822-headers

From: support@example.org
Message-ID: <dg.xyz@desk.example.org>
Subject: Re: Help

--B--
`
	v := testGuard().Classify("", crlf(msg))
	if v.Class != Bounce || v.DSN == nil {
		t.Fatalf("got %+v", v)
	}
	if len(v.DSN.Recipients) != 1 {
		t.Fatalf("recipients %+v", v.DSN.Recipients)
	}
	r := v.DSN.Recipients[0]
	if r.Address != "nobody@example.com" || r.Action != "failed" || r.Status != "5.1.1" || !strings.HasPrefix(r.Diagnostic, "550 5.1.1") {
		t.Errorf("recipient %+v", r)
	}
	if v.DSN.OriginalMessageID != "dg.xyz@desk.example.org" || v.DSN.OriginalEnvelopeID != "env-42" {
		t.Errorf("dsn %+v", v.DSN)
	}
}

// Without a hostname nothing is taken for own mail by header or Message-ID.
func TestNoHostname(t *testing.T) {
	g := New(Config{})
	v := g.Classify("x@example.org", crlf("From: x@example.org\nX-Deskgate-Origin: \nMessage-ID: <dg.a@>\n\nHi"))
	if v.Class != Human {
		t.Fatalf("got %s (%s)", v.Class, v.Reason)
	}
}

// DSN blocks separated by lines of white space are still separate recipients.
func TestDSNBlocksWithIndentedBlankLines(t *testing.T) {
	d := parseDeliveryStatus([]byte("Reporting-MTA: dns; mx\r\n \r\nFinal-Recipient: rfc822; a@example.net\r\nStatus: 5.1.1\r\n\t\r\nFinal-Recipient: rfc822; b@example.net\r\nStatus: 4.2.2\r\n"))
	if len(d.Recipients) != 2 || d.Recipients[0].Address != "a@example.net" || d.Recipients[1].Status != "4.2.2" {
		t.Fatalf("%+v", d.Recipients)
	}
}
