package smtpd_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// Cc'd addresses join a conversation only when the sender is
// authenticated: an SPF pass aligned with the From domain brings Bob in;
// a From on a domain with no SPF, DKIM or DMARC at all (anyone can write
// it) brings nobody, and the mail log says why.
func TestCcJoinsOnlyForAuthenticatedSender(t *testing.T) {
	h, _ := authHarness(t, harnessOpts{})
	ok := mail("Carol <carol@customer.example>", "support@support.test", "Printer", "cc1@customer.example",
		"Cc: Bob <bob@customer.example>\n", "It burns.\n")
	wantReply(t, "carol", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{"support@support.test"}, ok), "")
	e := h.mustStatus("created", "joined as customers")
	if got := h.customerEmails(e.ConversationID); !slices.Contains(got, "bob@customer.example") {
		t.Fatalf("customers %v, want bob among them", got)
	}

	stranger := mail("Dan <dan@unsigned.example>", "support@support.test", "Hello", "cc2@unsigned.example",
		"Cc: Victim <victim@other.example>\n", "Please answer us all.\n")
	wantReply(t, "dan", h.sendFrom("127.0.0.9", "mx.unsigned.example", "dan@unsigned.example", []string{"support@support.test"}, stranger), "")
	e = h.mustStatus("created", "Cc not joined: the sender is not authenticated")
	if got := h.customerEmails(e.ConversationID); len(got) != 1 || got[0] != "dan@unsigned.example" {
		t.Fatalf("customers %v, want only dan", got)
	}
	if strings.Contains(e.Detail, "victim@other.example> joined") {
		t.Fatalf("detail %q", e.Detail)
	}
}

// customerEmails lists the addresses of a conversation's customers.
func (h *harness) customerEmails(conv uint64) []string {
	h.t.Helper()
	var out []string
	for _, id := range h.conversation(conv).CustomerIDs {
		out = append(out, h.customer(id))
	}
	return out
}

// customer is the address of customer id.
func (h *harness) customer(id uint64) string {
	h.t.Helper()
	var addr string
	if err := h.st.View(context.Background(), func(tx store.Tx) error {
		c, err := tx.Customer(id)
		if err == nil {
			addr = c.Email
		}
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return addr
}
