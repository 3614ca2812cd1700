package smtpd_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Auto-replies, list mail and deskgate's own mail are suppressed, never
// a message, with the loop guard's reason.
func TestLoopGuardSuppresses(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	to := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: h.conversation(conv).CustomerIDs[0]})
	cases := []struct{ name, extra, want string }{
		{"auto-replied", "Auto-Submitted: auto-replied\n", "Auto-Submitted"},
		{"list", "List-Id: <news.example.com>\nPrecedence: list\n", "list"},
		{"own", "X-Deskgate-Origin: mx.support.test\n", "own"},
		{"exchange ooo", "X-Auto-Response-Suppress: All\nAuto-Submitted: auto-generated\n", "Auto-Submitted"},
	}
	for i, tc := range cases {
		raw := mail("carol@example.com", to, "Out of office", "ooo"+fmtID(uint64(i))+"@example.com", tc.extra, "I am away.\n")
		wantReply(t, tc.name, h.send("carol@example.com", []string{to}, raw), "")
		e := h.mustStatus("suppressed", "")
		if !strings.Contains(strings.ToLower(e.Detail), strings.ToLower(tc.want)) || e.MessageIDInt != 0 {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
	if n := len(h.messages(conv)); n != 1 {
		t.Fatalf("machine mail became messages: %d", n)
	}
}

// dsn is an RFC 3464 report about original Message-ID orig for rcpt.
func dsn(to, orig, rcpt, status, action string) string {
	return "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: " + to + "\nSubject: Undelivered Mail Returned to Sender\n" +
		"Message-ID: <dsn-" + status + "-" + orig + ">\nMIME-Version: 1.0\nAuto-Submitted: auto-replied\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=BB\n\n" +
		"--BB\nContent-Type: text/plain\n\nYour message could not be delivered.\n" +
		"--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" +
		"Final-Recipient: rfc822; " + rcpt + "\nAction: " + action + "\nStatus: " + status + "\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n" +
		"--BB\nContent-Type: text/rfc822-headers\n\nMessage-ID: <" + orig + ">\nFrom: support@support.test\nSubject: Your printer\n\n--BB--\n"
}

// A DSN to bounce+TOKEN@ is logged bounce, applied to the outbound email
// the token names, and a hard bounce cools the address down.
func TestBounceIsApplied(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := h.outboundEmail("Gone@Example.org")
	to := h.svc.Addresses.BounceAddress(id)
	wantReply(t, "dsn", h.send("", []string{to}, dsn(to, "dg.abc@mx.support.test", "gone@example.org", "5.1.1", "failed")), "")
	e := h.mustStatus("bounce", fmt.Sprintf("outbound email %d marked bounced", id))
	if !strings.Contains(e.Detail, "5.1.1 for gone@example.org") || !strings.Contains(e.Detail, "hard bounce") {
		t.Fatalf("detail %q", e.Detail)
	}
	calls := h.bouncer.Calls()
	if len(calls) != 1 || calls[0].ref.EmailID != id || calls[0].status != "5.1.1" || calls[0].ref.MessageID != "dg.abc@mx.support.test" {
		t.Fatalf("bouncer calls %+v", calls)
	}
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		b, ok, err := tx.BouncedAddress("gone@example.org")
		if err != nil || !ok || b.Status != "5.1.1" || b.Until.Sub(b.At) != bridge.DefaultBounceCooling {
			t.Fatalf("bounced address %+v %v", b, ok)
		}
		return nil
	})
	// A delay is logged, not applied.
	wantReply(t, "delayed dsn", h.send("", []string{to}, dsn(to, "dg.abd@mx.support.test", "slow@example.org", "4.4.1", "delayed")), "")
	h.mustStatus("bounce", "delayed")
	if n := len(h.bouncer.Calls()); n != 1 {
		t.Fatalf("a delay was applied as a bounce: %d calls", n)
	}
	// A DSN to support@ is matched by the returned Message-ID.
	wantReply(t, "dsn to support", h.send("", []string{"support@support.test"}, dsn("support@support.test", "dg.xyz@mx.support.test", "old@example.org", "5.2.1", "failed")), "")
	e = h.mustStatus("bounce", "no matching outbound email")
	if !strings.Contains(e.Detail, "not applied to old@example.org") {
		t.Fatalf("detail %q", e.Detail)
	}
	if c := h.bouncer.Calls(); len(c) != 2 || c[1].ref.EmailID != 0 || c[1].ref.MessageID != "dg.xyz@mx.support.test" {
		t.Fatalf("bouncer calls %+v", c)
	}
	// No conversation was started by any of them.
	for _, e := range h.log() {
		if e.ConversationID != 0 {
			t.Fatalf("a bounce reached a conversation: %+v", e)
		}
	}
}

// outboundEmail records an outbound email to rcpt, as the queue does, and
// returns its id.
func (h *harness) outboundEmail(rcpt string) uint64 {
	h.t.Helper()
	var id uint64
	if err := h.st.Update(context.Background(), func(tx store.Tx) error {
		var err error
		if id, err = tx.NewOutboundID(); err != nil {
			return err
		}
		return tx.PutOutbound(&store.OutboundEmail{ID: id, Recipient: rcpt, State: store.OutboundSent,
			QueuedAt: h.clock.Now(), DoneAt: h.clock.Now(), MessageID: fmt.Sprintf("dg.%d@mx.support.test", id)}, nil)
	}); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// cooling reports whether addr is in its hard-bounce cooling period.
func (h *harness) cooling(addr string) bool {
	h.t.Helper()
	var ok bool
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		_, ok, err = tx.BouncedAddress(addr)
		return err
	})
	return ok
}

// A forged DSN cools nobody: only a DSN to the bounce address of an email
// sent to that very address may (before: a DSN to support@ from anyone,
// naming 50 addresses, stopped all email to them for 24 hours).
func TestForgedDSNCoolsNobody(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	var victims []string
	for i := 0; i < 50; i++ {
		victims = append(victims, fmt.Sprintf("victim%d@example.com", i))
	}
	forged := func(to string) string {
		var b strings.Builder
		b.WriteString("From: mallory@example.net\nTo: " + to + "\nSubject: Undelivered Mail\nMessage-ID: <forged-" + to + ">\n" +
			"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=BB\n\n" +
			"--BB\nContent-Type: text/plain\n\nGone.\n--BB\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n")
		for _, v := range victims {
			b.WriteString("\nFinal-Recipient: rfc822; " + v + "\nAction: failed\nStatus: 5.1.1\n")
		}
		b.WriteString("\n--BB--\n")
		return b.String()
	}
	// To support@, from an ordinary sender.
	wantReply(t, "forged dsn to support@", h.send("mallory@example.net", []string{"support@support.test"}, forged("support@support.test")), "")
	e := h.mustStatus("bounce", "not applied to victim0@example.com: the DSN did not come to a bounce address")
	if strings.Contains(e.Detail, "hard bounce") || strings.Count(e.Detail, "not applied to ") != 50 {
		t.Fatalf("detail %q", e.Detail)
	}
	// To the valid bounce address of an email that went to someone else.
	other := h.outboundEmail("carol@example.com")
	to := h.svc.Addresses.BounceAddress(other)
	wantReply(t, "dsn about another address", h.send("", []string{to}, forged(to)), "")
	h.mustStatus("bounce", fmt.Sprintf("not applied to victim7@example.com: outbound email %d went to carol@example.com, not to this address", other))
	// To a valid bounce token of an email that does not exist.
	to = h.svc.Addresses.BounceAddress(other + 100)
	wantReply(t, "dsn about no email", h.send("", []string{to}, forged(to)), "")
	h.mustStatus("bounce", fmt.Sprintf("outbound email %d does not exist", other+100))
	for _, v := range append(victims, "carol@example.com") {
		if h.cooling(v) {
			t.Fatalf("%s is cooling after a forged DSN", v)
		}
	}
	// The genuine one still cools its address.
	mine := h.outboundEmail("victim3@example.com")
	to = h.svc.Addresses.BounceAddress(mine)
	wantReply(t, "genuine dsn", h.send("", []string{to}, dsn(to, "dg.x@mx.support.test", "victim3@example.com", "5.1.1", "failed")), "")
	h.mustStatus("bounce", "hard bounce: no email to victim3@example.com")
	if !h.cooling("victim3@example.com") || h.cooling("victim4@example.com") {
		t.Fatal("the genuine DSN did not cool only its address")
	}
}

// Past FloodLimit mails per window from one sender: suppressed, reason flood.
func TestFloodIsSuppressed(t *testing.T) {
	h := newHarness(t, harnessOpts{inbound: bridge.InboundConfig{FloodLimit: 3, FloodWindow: time.Hour}})
	for i := 0; i < 3; i++ {
		h.newConversation("loud@example.com", "Loud", "again", "f"+fmtID(uint64(i))+"@example.com")
	}
	wantReply(t, "4th", h.send("loud@example.com", []string{"support@support.test"},
		mail("loud@example.com", "support@support.test", "again", "f9@example.com", "", "and again\n")), "")
	h.mustStatus("suppressed", "flood")
	h.newConversation("quiet@example.com", "Quiet", "once", "q1@example.com") // others are not affected
	h.clock.Advance(2 * time.Hour)
	h.newConversation("loud@example.com", "Loud", "later", "f10@example.com") // the window moved on
}
