package smtpd_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/parsecount"
)

// One parse per mail (issue 21): a mail received over SMTP is checked by
// senderauth (SPF, DKIM, DMARC, ARC), classified by the loop guard and
// parsed by mailparse, and its top-level header and its MIME tree are each
// parsed once (go-msgauth's DKIM verification reads the raw bytes on its
// own and is not counted). The counters are global: the test is not
// parallel, and parallel tests run after it.
func TestOneParsePerMailSMTP(t *testing.T) {
	h, key := authHarness(t, harnessOpts{})
	reply := signed(t, key, "shop.example", "From: Sam <sam@shop.example>\nTo: support@support.test\nSubject: Order 7\n"+
		"Message-ID: <o7@shop.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=MM\n\n"+
		"--MM\nContent-Type: multipart/alternative; boundary=AA\n\n"+
		"--AA\nContent-Type: text/plain; charset=utf-8\n\nWhere is my order?\n"+
		"--AA\nContent-Type: text/html; charset=utf-8\n\n<p>Where is my order?</p>\n--AA--\n"+
		"--MM\nContent-Type: text/plain; name=note.txt\nContent-Disposition: attachment; filename=note.txt\n\nthe note\n--MM--\n")
	id := h.outboundEmail("gone@example.org")
	to := h.svc.Addresses.BounceAddress(id)
	cases := []struct {
		name, ip, helo, from, to, raw, status, detail string
	}{
		{"signed multipart mail", "127.0.0.5", "mx.shop.example", "sam@shop.example", "support@support.test", reply, "created", "new conversation"},
		{"DSN (the guard walks its parts)", "127.0.0.1", "mx.example.net", "", to,
			dsn(to, "dg.abc@mx.support.test", "gone@example.org", "5.1.1", "failed"), "bounce", fmt.Sprintf("outbound email %d marked bounced", id)},
	}
	for _, c := range cases {
		before := parsecount.Now()
		wantReply(t, c.name, h.sendFrom(c.ip, c.helo, c.from, []string{c.to}, c.raw), "")
		got := parsecount.Now().Sub(before)
		e := h.mustStatus(c.status, c.detail)
		if c.status == "created" {
			if e.Auth == nil || e.Auth.DKIM != "pass" || e.Auth.DMARC != "pass" {
				t.Fatalf("%s: the sender checks did not run: %+v", c.name, e.Auth)
			}
			ms := h.messages(e.ConversationID)
			if len(ms) != 1 || !strings.Contains(ms[0].Body, "Where is my order?") || len(ms[0].Attachments) != 1 {
				t.Fatalf("%s: the MIME tree was not read: %+v", c.name, ms)
			}
		}
		if got != (parsecount.Counts{Header: 1, Tree: 1}) {
			t.Errorf("%s: header parsed %d times, MIME tree %d times; want 1 and 1", c.name, got.Header, got.Tree)
		}
	}
}
