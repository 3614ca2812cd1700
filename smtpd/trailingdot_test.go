package smtpd_test

import (
	"testing"
)

// A From whose domain ends in a dot (a fully qualified name) is the same
// address: Carol's mail from carol@example.com. threads into her
// conversation as Carol, instead of making a new customer (issue 20).
func TestTrailingDotIsTheSameAddress(t *testing.T) {
	h := newHarness(t, harnessOpts{noAuth: true})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	tag := "[#" + fmtID(conv) + "]"
	raw := mail("Carol <carol@example.com.>", "support@support.test", "Re: "+tag+" Printer", "p2@example.com", "", "Still broken.\n")
	wantReply(t, "dotted", h.send("carol@example.com.", []string{"support@support.test"}, raw), "")
	e := h.last()
	if e.ConversationID != conv || e.Status != "threaded" {
		t.Fatalf("the dotted address did not thread into Carol's conversation: %+v", e)
	}
	ms := h.messages(conv)
	if len(ms) != 2 || ms[1].Author.ID != ms[0].Author.ID || ms[1].Author.Email != "carol@example.com" {
		t.Fatalf("messages %+v", ms)
	}
	if c := h.conversation(conv); len(c.CustomerIDs) != 1 {
		t.Fatalf("customers %v", c.CustomerIDs)
	}
}
