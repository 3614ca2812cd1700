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

// automationRuns returns the runs count of automation id.
func (e *env) automationRuns(id uint64) uint64 {
	e.t.Helper()
	var a struct{ Runs uint64 }
	e.must(200, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil).decode(e.t, &a)
	return a.Runs
}

// receiveFrom hands a raw mail to the domain by source (SMTP or IMAP).
func (e *env) receiveFrom(source, from, raw string) bridge.ReceiptEntry {
	e.t.Helper()
	rec, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: from, To: []string{"support@support.test"}, Source: source},
		[]byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil {
		e.t.Fatal(err)
	}
	e.settle()
	if len(rec.Entries) != 1 {
		e.t.Fatalf("receipt %+v", rec)
	}
	return rec.Entries[0]
}

// item.created and conversation.created fire, once each, for a
// conversation that arrives by SMTP or IMAP, as they do for the API; a
// reply threaded into it fires message.created only (issue 19, item 1).
func TestAutomationEventsForEveryInboundSource(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "ack", "subject": "We got it: {{.Item.Title}}",
		"text": "Thanks, we have your request about {{.Item.Title}} ({{.Event}})."})
	ids := map[string]uint64{}
	for _, ev := range []string{"item.created", "conversation.created", "message.created"} {
		ids[ev] = e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "on " + ev,
			"trigger": map[string]any{"event": ev},
			"actions": []any{map[string]any{"type": "send_email", "template": "ack", "to": "customers"}}}).id(t)
	}
	want := map[string]uint64{}
	check := func(step string) {
		t.Helper()
		for ev, id := range ids {
			if got := e.automationRuns(id); got != want[ev] {
				t.Fatalf("%s: automation on %s ran %d times, want %d", step, ev, got, want[ev])
			}
		}
	}
	for i, source := range []string{store.SourceSMTP, store.SourceIMAP} {
		from := fmt.Sprintf("dana%d@customer.example", i)
		r := e.receiveFrom(source, from, fmt.Sprintf("From: Dana <%s>\nTo: support@support.test\nSubject: Scanner %d jams\nMessage-ID: <jam%d@customer.example>\n\nIt jams.\n", from, i, i))
		if r.Status != bridge.InCreated {
			t.Fatalf("%s: %+v", source, r)
		}
		want["item.created"]++
		want["conversation.created"]++
		want["message.created"]++
		check(source + " new conversation")
		var acks []string
		for _, m := range e.outbox.sent() {
			if m.Recipient.Email == from && m.Conversation.ID == r.ConversationID {
				acks = append(acks, m.Rendered.Text)
			}
		}
		if len(acks) != 3 || !strings.Contains(strings.Join(acks, "|"), "(item.created)") || !strings.Contains(strings.Join(acks, "|"), "(conversation.created)") {
			t.Fatalf("%s: acknowledgements %q", source, acks)
		}
		r = e.receiveFrom(source, from, fmt.Sprintf("From: Dana <%s>\nTo: support@support.test\nSubject: Re: Scanner %d jams\nMessage-ID: <jam%d-2@customer.example>\nIn-Reply-To: <jam%d@customer.example>\n\nStill jams.\n", from, i, i, i))
		if r.Status != bridge.InThreaded {
			t.Fatalf("%s reply: %+v", source, r)
		}
		want["message.created"]++
		check(source + " reply")
	}
	// The API fires each once too.
	p := e.must(201, "POST", "/api/v1/projects", adminToken, map[string]string{"name": "Lab"}).id(t)
	it := e.must(201, "POST", "/api/v1/items", adminToken, map[string]any{"project_id": p, "title": "Centrifuge"}).id(t)
	want["item.created"]++ // no customers yet: it runs, and records why nothing was sent
	e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": it, "kind": "internal", "subject": "Spin"})
	want["conversation.created"]++
	check("api")
}

// Automation 1 counts its runs like the others: each notification email
// it queued is one (issue 19, item 9).
func TestNotificationAutomationCountsRuns(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.post(f.external, f.agentTok, "We are on it")   // to Carol
	e.post(f.internal, f.agentTok, "nobody follows") // to nobody
	if n := e.automationRuns(1); n != 0 {
		t.Fatalf("runs before any email: %d", n)
	}
	e.clock.Advance(2 * time.Minute)
	e.fire()
	if n := len(e.outbox.sent()); n != 1 {
		t.Fatalf("%d notification emails", n)
	}
	if n := e.automationRuns(1); n != 1 {
		t.Fatalf("automation 1 runs after one email: %d", n)
	}
	e.post(f.external, f.agentTok, "Fixed?")
	m := e.post(f.external, f.agentTok, "Seen already")
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", m), f.custTok, nil) // seen: no email
	e.post(f.external, adminToken, "One more")
	e.clock.Advance(2 * time.Minute)
	e.fire()
	var as []struct {
		ID   uint64
		Runs uint64
	}
	e.must(200, "GET", "/api/v1/automations", adminToken, nil).decode(t, &as)
	if len(as) == 0 || as[0].ID != 1 || as[0].Runs != 2 || len(e.outbox.sent()) != 2 {
		t.Fatalf("automations after two emails (%d sent): %+v", len(e.outbox.sent()), as)
	}
}

// blockingOutbox holds every Enqueue until released.
type blockingOutbox struct {
	*recordingOutbox
	entered chan struct{}
	release chan struct{}
}

func (o *blockingOutbox) Enqueue(tx bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	select {
	case o.entered <- struct{}{}:
	default:
	}
	<-o.release
	return o.recordingOutbox.Enqueue(tx, e)
}

// The answer to an inbound mail (SMTP's 250) comes after the commit
// alone: an automation whose email cannot be queued yet does not delay
// it; the automation worker runs it after, once (issue 22, item 6).
func TestSlowAutomationDoesNotDelayTheAnswer(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "ack", "subject": "Got it", "text": "Thanks."})
	id := e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "ack",
		"trigger": map[string]any{"event": "conversation.created"},
		"actions": []any{map[string]any{"type": "send_email", "template": "ack", "to": "customers"}}}).id(t)
	slow := &blockingOutbox{recordingOutbox: e.outbox, entered: make(chan struct{}, 1), release: make(chan struct{})}
	e.svc.SetOutbox(slow)
	ctx, cancel := context.WithCancel(context.Background())
	worker := make(chan struct{})
	go func() { defer close(worker); e.svc.Messaging.RunAutomations(ctx, 50*time.Millisecond) }()
	defer func() { cancel(); <-worker }()
	released := false
	defer func() {
		if !released {
			close(slow.release)
		}
	}()

	answered := make(chan error, 1)
	go func() {
		_, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: "dana@customer.example", To: []string{"support@support.test"}, Source: store.SourceSMTP},
			[]byte("From: Dana <dana@customer.example>\r\nTo: support@support.test\r\nSubject: Scanner jams\r\nMessage-ID: <slow@customer.example>\r\n\r\nIt jams.\r\n"))
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the answer waited for the automation")
	}
	select {
	case <-slow.entered: // the worker has the event, its email held
	case <-time.After(20 * time.Second):
		t.Fatal("the automation worker never ran the automation")
	}
	storedRuns := func() uint64 {
		t.Helper()
		var runs uint64
		if err := e.st.View(context.Background(), func(tx store.Tx) error {
			a, err := tx.Automation(id)
			if err == nil {
				runs = a.Runs
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return runs
	}
	if n := storedRuns(); n != 0 {
		t.Fatalf("runs while its email is held: %d", n)
	}
	close(slow.release)
	released = true
	deadline := time.Now().Add(20 * time.Second)
	for storedRuns() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the automation did not run once released")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(e.outbox.sent()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
}

// An action that fails after an earlier one of its automation wrote
// leaves nothing of its own behind; the earlier one's effect stays, once,
// and the run is counted once with the failure (the worker rolls the
// event back and runs it again without the failed action).
func TestFailingActionRunsTheOthersOnce(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "note", "subject": "n", "text": "Noted: {{.Item.Title}}."})
	id := e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "two notes",
		"trigger": map[string]any{"event": "conversation.created", "conditions": map[string]any{"kind": "external"}},
		"actions": []any{
			map[string]any{"type": "post_message", "template": "note", "conversation": "external"},
			map[string]any{"type": "post_message", "template": "note", "conversation": "internal"}, // none yet: fails
			map[string]any{"type": "post_message", "template": "note", "conversation": "external"},
		}}).id(t)
	p := e.must(201, "POST", "/api/v1/projects", adminToken, map[string]string{"name": "Lab"}).id(t)
	it := e.must(201, "POST", "/api/v1/items", adminToken, map[string]any{"project_id": p, "title": "Centrifuge"}).id(t)
	conv := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": it, "kind": "external", "subject": "Spin"}).id(t)
	var msgs []struct{ Body, Cause string }
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", conv), adminToken, nil).decode(t, &msgs)
	if len(msgs) != 2 || msgs[0].Body != "Noted: Centrifuge." || msgs[1].Body != "Noted: Centrifuge." {
		t.Fatalf("messages: %+v", msgs)
	}
	var a struct {
		Runs      uint64
		LastError string `json:"last_error"`
	}
	e.must(200, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil).decode(t, &a)
	if a.Runs != 1 || !strings.Contains(a.LastError, "actions[1] post_message") || strings.Contains(a.LastError, "actions[0]") {
		t.Fatalf("automation: %+v", a)
	}
}
