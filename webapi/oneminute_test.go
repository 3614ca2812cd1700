package webapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type notification struct {
	MessageID      uint64 `json:"message_id"`
	ConversationID uint64 `json:"conversation_id"`
	At             string `json:"at"`
	Seen           bool   `json:"seen"`
}

func (e *env) notifications(token, query string) []notification {
	var ns []notification
	e.must(200, "GET", "/api/v1/me/notifications"+query, token, nil).decode(e.t, &ns)
	return ns
}

type unseenCounts struct {
	Total         int
	Conversations []struct {
		ConversationID uint64 `json:"conversation_id"`
		Unseen         int
	}
}

func (e *env) unseen(token string) unseenCounts {
	var c unseenCounts
	e.must(200, "GET", "/api/v1/me/unseen", token, nil).decode(e.t, &c)
	return c
}

// ?unseen=1 lists only what is not seen, newest first; without it seen
// ones are listed too; a bad value is a 422 with the error JSON.
func TestNotificationListAndUnseenFilter(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	a := e.post(f.external, f.agentTok, "a")
	b := e.post(f.external, f.agentTok, "b")
	c := e.post(f.external, f.agentTok, "c")
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", a), f.custTok, nil)
	all := e.notifications(f.custTok, "")
	if len(all) != 3 || all[0].MessageID != c || all[2].MessageID != a || !all[2].Seen || all[0].Seen {
		t.Fatalf("all notifications (newest first): %+v", all)
	}
	if _, err := time.Parse(time.RFC3339Nano, all[0].At); err != nil || all[0].ConversationID != f.external {
		t.Fatalf("notification fields: %+v (%v)", all[0], err)
	}
	for _, q := range []string{"?unseen=1", "?unseen=true"} {
		if un := e.notifications(f.custTok, q); len(un) != 2 || un[0].MessageID != c || un[1].MessageID != b {
			t.Fatalf("%s: %+v", q, un)
		}
	}
	if n := e.notifications(f.custTok, "?unseen=0"); len(n) != 3 {
		t.Fatalf("?unseen=0: %+v", n)
	}
	if code := e.must(422, "GET", "/api/v1/me/notifications?unseen=maybe", f.custTok, nil).errCode(t); code == "" {
		t.Fatal("no error code")
	}
	e.must(401, "GET", "/api/v1/me/notifications", "", nil)
}

// Unseen counts per conversation, for a user and a customer, follow posts
// and seen marks; they stay exact past the list's 500 cap.
func TestUnseenCountsFollowSeen(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/items/%d/followers", f.item), f.agentTok, map[string]any{"user_id": f.agentID})
	for range 3 {
		e.post(f.external, f.custTok, "from the customer")
	}
	note := e.post(f.internal, adminToken, "internal")
	last := e.post(f.external, adminToken, "an admin answers") // agent follows: notified; customer too
	if got := e.unseen(f.agentTok); got.Total != 5 || len(got.Conversations) != 2 ||
		got.Conversations[0].ConversationID != f.external || got.Conversations[0].Unseen != 4 || got.Conversations[1].Unseen != 1 {
		t.Fatalf("agent counts %+v", got)
	}
	if got := e.unseen(f.custTok); got.Total != 1 || got.Conversations[0].ConversationID != f.external {
		t.Fatalf("customer counts %+v", got)
	}
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", last), f.agentTok, nil)
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", last), f.custTok, nil)
	if got := e.unseen(f.agentTok); got.Total != 1 || got.Conversations[0].ConversationID != f.internal {
		t.Fatalf("agent counts after seeing the external conversation: %+v", got)
	}
	if got := e.unseen(f.custTok); got.Total != 0 || len(got.Conversations) != 0 {
		t.Fatalf("customer counts after seen: %+v", got)
	}
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", note), f.agentTok, nil)
	if got := e.unseen(f.agentTok); got.Total != 0 {
		t.Fatalf("after seeing everything: %+v", got)
	}

	const many = 510
	for range many {
		e.post(f.external, f.agentTok, "spam")
	}
	if got := e.unseen(f.custTok); got.Total != many {
		t.Fatalf("customer unseen after %d posts: %d", many, got.Total)
	}
	if ns := e.notifications(f.custTok, "?unseen=1&limit=500"); len(ns) != 500 || ns[0].MessageID < ns[499].MessageID {
		t.Fatalf("list: %d, newest first?", len(ns))
	}
}

// Seeing a message as a customer sees every earlier one and cancels their
// pending emails (skipped, with why); the later one is still emailed.
func TestCustomerSeenCancelsPendingEmails(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	a := e.post(f.external, f.agentTok, "a")
	b := e.post(f.external, f.agentTok, "b")
	e.clock.Advance(20 * time.Second)
	c := e.post(f.external, f.agentTok, "c")
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", b), f.custTok, nil)
	for _, id := range []uint64{a, b} {
		d := e.deliveries(id)["carol@example.com"]
		if d.EmailStatus != "skipped" || d.SeenAt == nil || !strings.Contains(d.Detail, "seen at") || d.EmailedAt != nil {
			t.Fatalf("message %d after the customer saw %d: %+v", id, b, d)
		}
	}
	e.clock.Advance(40 * time.Second) // a and b would be due now; c is not
	e.fire()
	if sent := e.outbox.sent(); len(sent) != 0 {
		t.Fatalf("seen messages emailed: %+v", sent)
	}
	e.clock.Advance(20 * time.Second)
	e.fire()
	sent := e.outbox.sent()
	if len(sent) != 1 || len(sent[0].Messages) != 1 || sent[0].Messages[0].ID != c || sent[0].Recipient.Type != "customer" {
		t.Fatalf("after c's minute: %+v", sent)
	}
}

// Every field of a delivery is in the JSON, null while it has not happened.
func TestDeliveryFields(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	m := e.post(f.external, f.agentTok, "hello")
	raw := func() map[string]any {
		var ds []map[string]any
		e.must(200, "GET", pathf("/api/v1/messages/%d/deliveries", m), adminToken, nil).decode(t, &ds)
		if len(ds) != 1 {
			t.Fatalf("deliveries %v", ds)
		}
		return ds[0]
	}
	d := raw()
	for _, k := range []string{"recipient", "notified_at", "seen_at", "email_status", "emailed_at", "detail"} {
		if _, ok := d[k]; !ok {
			t.Fatalf("delivery has no %q: %v", k, d)
		}
	}
	r := d["recipient"].(map[string]any)
	if r["type"] != "customer" || r["email"] != "carol@example.com" || r["id"] == nil {
		t.Fatalf("recipient %v", r)
	}
	if d["seen_at"] != nil || d["emailed_at"] != nil || d["email_status"] != "pending" || d["notified_at"] != "2026-11-25T09:00:00Z" {
		t.Fatalf("a fresh delivery: %v", d)
	}
	e.clock.Advance(time.Minute)
	e.fire()
	d = raw()
	if d["email_status"] != "queued" || d["emailed_at"] != "2026-11-25T09:01:00Z" || d["seen_at"] != nil {
		t.Fatalf("an emailed delivery: %v", d)
	}
	e.clock.Advance(time.Minute)
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", m), f.custTok, nil)
	if d = raw(); d["seen_at"] != "2026-11-25T09:02:00Z" || d["email_status"] != "queued" {
		t.Fatalf("seen after the email: %v", d)
	}
}

// An overdue timer fires when the timer loop starts on the reopened store,
// with no clock advance and no new message to wake it.
func TestOverdueTimerFiresAtStart(t *testing.T) {
	dir := t.TempDir()
	e := openEnv(t, dir)
	f := e.fixture()
	m := e.post(f.external, f.agentTok, "before the restart")
	e.close()
	e2 := openEnv(t, dir)
	e2.clock.Advance(5 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e2.svc.Notifications.RunTimers(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(e2.outbox.sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sent := e2.outbox.sent()
	if len(sent) != 1 || sent[0].Messages[0].ID != m {
		t.Fatalf("after restart: %+v", sent)
	}
	if d := e2.deliveries(m)["carol@example.com"]; d.EmailStatus != "queued" || d.EmailedAt == nil {
		t.Fatalf("delivery after the restart fired: %+v", d)
	}
}

// The stream sends heartbeats while idle, one event per new notification
// (none for other people's), replays after Last-Event-ID without repeating
// what it replayed, and rejects a Last-Event-ID that is not a message id.
func TestEventStreamHeartbeatsAndReplay(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	lines := e.rawEvents(ctx, f.custTok)
	sawPing := false
	for deadline := time.After(30 * time.Second); !sawPing; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream closed")
			}
			sawPing = l == ": ping"
		case <-deadline:
			t.Fatal("no heartbeat within 30 s (harness beats every 50 ms)")
		}
	}

	m1 := e.post(f.external, f.agentTok, "one")
	live := e.openEvents(ctx, f.custTok, "")
	e.post(f.internal, adminToken, "staff only: no event for the customer")
	m2 := e.post(f.external, f.agentTok, "two")
	ev := nextEvent(t, live)
	var n notification
	if err := json.Unmarshal([]byte(ev.data), &n); err != nil || ev.id != pathf("%d", m2) || n.MessageID != m2 || n.Seen {
		t.Fatalf("live event %+v (%v)", ev, err)
	}

	replay := e.openEvents(ctx, f.custTok, pathf("%d", m1))
	if ev := nextEvent(t, replay); ev.id != pathf("%d", m2) || ev.name != "notification" {
		t.Fatalf("replay %+v, want %d", ev, m2)
	}
	m3 := e.post(f.external, f.agentTok, "three")
	if ev := nextEvent(t, replay); ev.id != pathf("%d", m3) {
		t.Fatalf("after the replay, live %+v, want %d (no repeat of %d)", ev, m3, m2)
	}

	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+f.custTok)
	req.Header.Set("Last-Event-ID", "yesterday")
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 400 || body.Error.Message == "" {
		t.Fatalf("bad Last-Event-ID: %d %+v %v", res.StatusCode, body, err)
	}
}

// rawEvents returns the stream's lines as they come.
func (e *env) rawEvents(ctx context.Context, token string) <-chan string {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	out := make(chan string, 64)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
