package webapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
)

// The outbound cap through the API: an address gets at most OutboundCapLimit emails
// about one conversation within OutboundCapWindow; the next one is skipped with the
// cap as its detail, and emails resume once the window has passed.
func TestOutboundCapSkipsFloodingConversation(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var ids []uint64
	for i := 0; i < bridge.OutboundCapLimit; i++ {
		ids = append(ids, e.post(f.external, f.agentTok, pathf("message %d", i)))
		e.clock.Advance(61 * time.Second)
		e.fire()
	}
	if n := len(e.outbox.sent()); n != bridge.OutboundCapLimit {
		t.Fatalf("emails before the cap: %d, want %d", n, bridge.OutboundCapLimit)
	}
	for _, id := range ids {
		if d := e.deliveries(id)["carol@example.com"]; d.EmailStatus != "queued" {
			t.Fatalf("message %d before the cap: %+v", id, d)
		}
	}

	over := e.post(f.external, f.agentTok, "one too many")
	e.clock.Advance(61 * time.Second)
	e.fire()
	if n := len(e.outbox.sent()); n != bridge.OutboundCapLimit {
		t.Fatalf("email past the cap was queued: %d emails", n)
	}
	d := e.deliveries(over)["carol@example.com"]
	if d.EmailStatus != "skipped" || !strings.Contains(d.Detail, "outbound cap") || d.EmailedAt != nil {
		t.Fatalf("delivery past the cap: %+v", d)
	}

	// Another conversation to the same address is not capped.
	other := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{
		"item_id": f.item, "kind": "external", "subject": "Another matter", "customer_ids": []uint64{f.custID},
	}).id(t)
	m := e.post(other, f.agentTok, "different conversation")
	e.clock.Advance(61 * time.Second)
	e.fire()
	if d := e.deliveries(m)["carol@example.com"]; d.EmailStatus != "queued" {
		t.Fatalf("other conversation capped too: %+v", d)
	}

	// Once the window has passed, the first conversation emails again.
	e.clock.Advance(bridge.OutboundCapWindow)
	again := e.post(f.external, f.agentTok, "after the window")
	e.clock.Advance(61 * time.Second)
	e.fire()
	if d := e.deliveries(again)["carol@example.com"]; d.EmailStatus != "queued" {
		t.Fatalf("after the window: %+v", d)
	}
}

// The cap's count is in the store: a restart does not reset it.
func TestOutboundCapSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := openEnv(t, dir)
	f := e.fixture()
	for i := 0; i < bridge.OutboundCapLimit; i++ {
		e.post(f.external, f.agentTok, pathf("message %d", i))
		e.clock.Advance(61 * time.Second)
		e.fire()
	}
	if n := len(e.outbox.sent()); n != bridge.OutboundCapLimit {
		t.Fatalf("emails before the restart: %d", n)
	}
	e.close()

	e2 := openEnv(t, dir)
	e2.clock.Advance(time.Duration(bridge.OutboundCapLimit+1) * 61 * time.Second) // where the first clock was
	over := e2.post(f.external, f.agentTok, "after the restart")
	e2.clock.Advance(61 * time.Second)
	e2.fire()
	if n := len(e2.outbox.sent()); n != 0 {
		t.Fatalf("capped email queued after a restart: %d", n)
	}
	if d := e2.deliveries(over)["carol@example.com"]; d.EmailStatus != "skipped" || !strings.Contains(d.Detail, "outbound cap") {
		t.Fatalf("delivery after the restart: %+v", d)
	}
}

// The flood limit counts in the outbound cap's ledger, which every queued
// email prunes: with a flood window longer than the cap's hour, the
// pruning keeps the flood's entries for the whole window, so an email
// sent meanwhile does not reset a sender's count.
func TestLongFloodWindowOutlivesLedgerPruning(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.svc.Inbound.SetInbound(bridge.InboundConfig{FloodLimit: 2, FloodWindow: 3 * time.Hour})
	mail := func(n int) bool {
		raw := fmt.Sprintf("From: dave@example.com\r\nTo: support@support.test\r\nSubject: hi %d\r\nMessage-ID: <lf%d@example.com>\r\n\r\nhi\r\n", n, n)
		rec, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: "dave@example.com", To: []string{"support@support.test"}}, []byte(raw))
		if err != nil || len(rec.Entries) != 1 {
			t.Fatalf("mail %d: %+v %v", n, rec, err)
		}
		return strings.HasPrefix(rec.Entries[0].Detail, "flood:")
	}
	if mail(1) {
		t.Fatal("mail 1 suppressed")
	}
	e.clock.Advance(90 * time.Minute)
	if mail(2) {
		t.Fatal("mail 2 suppressed")
	}
	m := e.post(f.external, f.agentTok, "an email to carol prunes the ledger")
	e.clock.Advance(61 * time.Second)
	e.fire()
	if d := e.deliveries(m)["carol@example.com"]; d.EmailStatus != "queued" {
		t.Fatalf("the email that prunes: %+v", d)
	}
	if !mail(3) {
		t.Fatal("3rd mail within 3 h let through: queuing an email pruned the flood count older than 1 h")
	}
}
