package smtpd_test

import "testing"

// A client that gives the same recipient twice (in any case) gets 250 for
// each RCPT, and the mail is stored once with that recipient listed once in
// the mail log.
func TestDuplicateRcptCountsOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	raw := "From: Carol <carol@example.com>\r\nSubject: twice\r\nMessage-ID: <twice@example.com>\r\n\r\nhello\r\n"
	if got := h.send("carol@example.com", []string{"support@support.test", "SUPPORT@support.test", "support@support.test"}, raw); got != "" {
		t.Fatalf("refused: %s", got)
	}
	e := h.last()
	if e.To != "support@support.test" {
		t.Fatalf("mail log to %q, want the recipient once", e.To)
	}
	if e.ConversationID == 0 || len(h.messages(e.ConversationID)) != 1 {
		t.Fatalf("want one conversation with one message: %+v", e)
	}
}
