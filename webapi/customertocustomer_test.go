package webapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// A customer's message reaches the conversation's other customers: a
// notification at once and an email when unseen for a minute, except a
// customer who was a To or Cc of the email that brought it in (they have
// it). A mail threaded by the subject tag alone reaches no other customer
// (SPEC §4; issue 19, item 3).
func TestCustomerMessageReachesOtherCustomers(t *testing.T) {
	e := newEnv(t)
	f := e.fixture() // Carol is the external conversation's customer
	var dave, erin uint64
	for _, c := range []struct {
		id   *uint64
		mail string
	}{{&dave, "dave@example.com"}, {&erin, "erin@example.com"}} {
		*c.id = e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": c.mail, "name": strings.Split(c.mail, "@")[0]}).id(t)
	}
	conv := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "external",
		"subject": "Our office printer", "customer_ids": []uint64{f.custID, dave, erin}}).id(t)

	// Through the API: Dave and Erin are notified, and emailed when unseen.
	m := e.post(conv, f.custTok, "It is on fire again")
	ds := e.deliveries(m)
	if _, ok := ds["carol@example.com"]; ok || ds["dave@example.com"].EmailStatus != "pending" || ds["erin@example.com"].EmailStatus != "pending" {
		t.Fatalf("deliveries of Carol's API message: %+v", ds)
	}
	e.clock.Advance(2 * time.Minute)
	e.fire()
	emailed := map[string]string{}
	for _, em := range e.outbox.sent() {
		emailed[em.Recipient.Email] = em.Rendered.Text
	}
	if !strings.Contains(emailed["dave@example.com"], "It is on fire again") || !strings.Contains(emailed["erin@example.com"], "It is on fire again") || emailed["carol@example.com"] != "" {
		t.Fatalf("emails after a minute: %v", emailed)
	}

	// By email to Carol's reply address with Dave in Cc: Dave has it
	// already; Erin is notified.
	reply := e.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: f.custID})
	raw := fmt.Sprintf("From: Carol <carol@example.com>\r\nTo: %s\r\nCc: Dave <DAVE@example.com>\r\nSubject: Re: Our office printer\r\nMessage-ID: <c2@example.com>\r\n\r\nThe fire brigade is here.\r\n", reply)
	rec, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: "carol@example.com", To: []string{reply}}, []byte(raw))
	if err != nil || len(rec.Entries) != 1 || rec.Entries[0].Status != bridge.InThreaded {
		t.Fatalf("reply by email: %+v %v", rec, err)
	}
	ds = e.deliveries(rec.Entries[0].MessageID)
	if _, ok := ds["dave@example.com"]; ok {
		t.Fatalf("Dave, in Cc of the email, was notified again: %+v", ds)
	}
	if _, ok := ds["carol@example.com"]; ok || ds["erin@example.com"].EmailStatus != "pending" {
		t.Fatalf("deliveries of Carol's email: %+v", ds)
	}

	// Threaded by the subject tag alone (anyone can type it, and the From
	// is not proven): posted, but to no other customer.
	raw = fmt.Sprintf("From: Carol <carol@example.com>\r\nTo: support@support.test\r\nSubject: Printer [#%d]\r\nMessage-ID: <c3@example.com>\r\n\r\nAlso the scanner.\r\n", conv)
	rec, err = e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}, []byte(raw))
	if err != nil || len(rec.Entries) != 1 || rec.Entries[0].Status != bridge.InThreaded || rec.Entries[0].ConversationID != conv ||
		!strings.Contains(rec.Entries[0].Detail, "not sent to the conversation's other customers: threaded by the subject tag only") {
		t.Fatalf("tagged mail: %+v %v", rec, err)
	}
	for addr := range e.deliveries(rec.Entries[0].MessageID) {
		if addr != "" && !strings.HasSuffix(addr, "@support.test") {
			t.Fatalf("a tag-threaded mail reached customer %s", addr)
		}
	}
}
