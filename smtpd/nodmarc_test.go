package smtpd_test

import (
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/dkimpy"
)

// SPEC §12, a domain without DMARC: plain.example publishes only SPF
// (127.0.0.7 sends, -all) and a DKIM key. A From of it whose aligned SPF
// fails, or whose aligned DKIM signature fails with no aligned pass, is
// treated like a DMARC failure: unverified, never threaded by subject tag
// or In-Reply-To into Carol's conversation.
func TestNoDMARCAlignedFailureUnverified(t *testing.T) {
	dkimpy.Need(t)
	h := newHarness(t, harnessOpts{})
	key := dkimpy.NewKey(t)
	h.dns.Add(t, `plain.example. 300 IN TXT "v=spf1 ip4:127.0.0.7 -all"`)
	h.dns.AddTXT("sel._domainkey.plain.example", key.Record)

	first := mail("Carol <carol@plain.example>", "support@support.test", "Printer", "c1@plain.example", "", "It burns.\n")
	wantReply(t, "carol", h.sendFrom("127.0.0.7", "mx.plain.example", "carol@plain.example", []string{"support@support.test"}, first), "")
	conv := h.mustStatus("created", "new conversation").ConversationID
	tag := "[#" + fmtID(conv) + "]"

	forgedSPF := mail("Carol <carol@plain.example>", "support@support.test", "Re: "+tag+" Printer", "f1@evil.example",
		"In-Reply-To: <c1@plain.example>\n", "Send the refund to my new account.\n")
	signedOK := string(dkimpy.Sign(t, dkimpy.CRLF(mail("Carol <carol@plain.example>", "support@support.test", "Re: "+tag+" Printer",
		"f2@evil.example", "In-Reply-To: <c1@plain.example>\n", "The account is 1234.\n")), key, "sel", "plain.example"))
	forgedDKIM := strings.Replace(signedOK, "1234", "6666", 1) // the signature no longer verifies
	for _, c := range []struct{ name, ip, mailFrom, raw, reason string }{
		{"aligned SPF fail", "127.0.0.9", "carol@plain.example", forgedSPF, "SPF fails for plain.example"},
		{"aligned DKIM fail", "127.0.0.9", "bounce@elsewhere.example", forgedDKIM, "DKIM signature of plain.example fails"},
	} {
		wantReply(t, c.name, h.sendFrom(c.ip, "evil.example", c.mailFrom, []string{"support@support.test"}, c.raw), "")
		e := h.last()
		if e.ConversationID == conv {
			t.Fatalf("%s: the forged mail entered Carol's conversation: %+v", c.name, e)
		}
		if e.Auth == nil || e.Auth.DMARC != "none" || !strings.Contains(e.Auth.Reason, c.reason) {
			t.Fatalf("%s: auth %+v", c.name, e.Auth)
		}
		if ms := h.messages(e.ConversationID); len(ms) != 1 || !ms[0].Unverified {
			t.Fatalf("%s: forged message not unverified: %+v", c.name, ms)
		}
	}
	if n := len(h.messages(conv)); n != 1 {
		t.Fatalf("Carol's conversation has %d messages", n)
	}

	// Carol herself, from her authorised address, still threads by tag.
	real := mail("Carol <carol@plain.example>", "support@support.test", "Re: "+tag+" Printer", "c2@plain.example", "", "Still burning.\n")
	wantReply(t, "carol again", h.sendFrom("127.0.0.7", "mx.plain.example", "carol@plain.example", []string{"support@support.test"}, real), "")
	h.mustStatus("threaded", "subject tag "+tag)
}
