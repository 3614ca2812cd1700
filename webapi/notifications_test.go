package webapi_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

type delivery struct {
	Recipient struct {
		Type  string
		ID    uint64
		Email string
	}
	NotifiedAt  time.Time  `json:"notified_at"`
	SeenAt      *time.Time `json:"seen_at"`
	EmailStatus string     `json:"email_status"`
	EmailedAt   *time.Time `json:"emailed_at"`
	Detail      string
}

func (e *env) deliveries(msg uint64) map[string]delivery {
	var ds []delivery
	e.must(200, "GET", pathf("/api/v1/messages/%d/deliveries", msg), adminToken, nil).decode(e.t, &ds)
	out := map[string]delivery{}
	for _, d := range ds {
		out[d.Recipient.Email] = d
	}
	return out
}

func (e *env) post(conv uint64, token, body string) uint64 {
	return e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", conv), token, map[string]string{"body": body}).id(e.t)
}

func (e *env) fire() {
	if err := e.svc.Notifications.FireDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// The one-minute rule end to end through the API: notified at once,
// emailed only what stays unseen, one email per conversation.
func TestOneMinuteRule(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), f.agentTok, map[string]any{"user_id": f.agentID})

	m1 := e.post(f.external, f.custTok, "My printer is on fire")
	// The agent follows and from_customers=mine: notified. The admin does not follow.
	ds := e.deliveries(m1)
	if len(ds) != 1 || ds["agent@support.test"].EmailStatus != "pending" || ds["agent@support.test"].SeenAt != nil {
		t.Fatalf("deliveries of a customer message: %+v", ds)
	}
	var ns []struct {
		MessageID      uint64 `json:"message_id"`
		ConversationID uint64 `json:"conversation_id"`
		Seen           bool
	}
	e.must(200, "GET", "/api/v1/me/notifications?unseen=1", f.agentTok, nil).decode(t, &ns)
	if len(ns) != 1 || ns[0].MessageID != m1 || ns[0].ConversationID != f.external || ns[0].Seen {
		t.Fatalf("agent notifications: %+v", ns)
	}
	// The author gets nothing.
	e.must(200, "GET", "/api/v1/me/notifications", f.custTok, nil).decode(t, &ns)
	if len(ns) != 0 {
		t.Fatalf("author notified: %+v", ns)
	}

	e.clock.Advance(30 * time.Second)
	m2 := e.post(f.external, f.custTok, "It is spreading")
	e.clock.Advance(30 * time.Second) // m1 due, m2 not yet: one email carries both (SPEC §9)
	e.fire()
	sent := e.outbox.sent()
	if len(sent) != 1 || len(sent[0].Messages) != 2 || sent[0].Messages[0].ID != m1 || sent[0].Messages[1].ID != m2 || sent[0].Recipient.Email != "agent@support.test" {
		t.Fatalf("after one minute: %+v", sent)
	}
	if !strings.HasPrefix(sent[0].ReplyTo, "reply+") || !strings.HasSuffix(sent[0].ReplyTo, "@support.test") || sent[0].References[0] != sent[0].InReplyTo && len(sent[0].References) == 0 {
		t.Fatalf("threading of the email: %+v", sent[0])
	}
	if d := e.deliveries(m1)["agent@support.test"]; d.EmailStatus != "queued" || d.EmailedAt == nil {
		t.Fatalf("m1 after firing: %+v", d)
	}
	if d := e.deliveries(m2)["agent@support.test"]; d.EmailStatus != "queued" {
		t.Fatalf("m2, carried by the same email: %+v", d)
	}
	// Seeing m3 within its minute cancels its email.
	m3 := e.post(f.external, f.custTok, "Still burning")
	e.clock.Advance(10 * time.Second)
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", m3), f.agentTok, nil)
	e.clock.Advance(time.Hour)
	e.fire()
	if n := len(e.outbox.sent()); n != 1 {
		t.Fatalf("seen message emailed anyway: %d emails", n)
	}
	d := e.deliveries(m3)["agent@support.test"]
	if d.EmailStatus != "skipped" || d.SeenAt == nil || !strings.Contains(d.Detail, "seen") {
		t.Fatalf("m3 after seen: %+v", d)
	}
	e.must(200, "GET", "/api/v1/me/notifications?unseen=1", f.agentTok, nil).decode(t, &ns)
	if len(ns) != 0 {
		t.Fatalf("unseen after seeing the last: %+v", ns)
	}
}

func TestUnseenMessagesOfAConversationGoOutAsOneEmail(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	// Agent -> customer: three messages within the minute.
	for _, b := range []string{"one", "two", "three"} {
		e.post(f.external, f.agentTok, b)
		e.clock.Advance(10 * time.Second)
	}
	e.clock.Advance(time.Minute)
	e.fire()
	sent := e.outbox.sent()
	if len(sent) != 1 || len(sent[0].Messages) != 3 || sent[0].Recipient.Type != "customer" {
		t.Fatalf("emails: %d, first %+v", len(sent), sent)
	}
	if sent[0].Messages[0].Body != "one" || sent[0].Messages[2].Body != "three" {
		t.Fatalf("order: %+v", sent[0].Messages)
	}
	// Seeing the first one after it was emailed does not change the email status.
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", sent[0].Messages[2].ID), f.custTok, nil)
	if d := e.deliveries(sent[0].Messages[0].ID)["carol@example.com"]; d.EmailStatus != "queued" || d.SeenAt == nil {
		t.Fatalf("after seen: %+v", d)
	}
}

func TestSeenMarksEarlierMessagesAndCustomersNeverGetInternal(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/items/%d/followers", f.item), f.agentTok, map[string]any{"user_id": f.agentID})
	a := e.post(f.external, f.custTok, "a")
	b := e.post(f.external, f.custTok, "b")
	c := e.post(f.external, f.custTok, "c")
	internal := e.post(f.internal, adminToken, "staff only")
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", b), f.agentTok, nil)
	for id, seen := range map[uint64]bool{a: true, b: true, c: false} {
		if d := e.deliveries(id)["agent@support.test"]; (d.SeenAt != nil) != seen {
			t.Errorf("message %d seen=%v, want %v", id, d.SeenAt != nil, seen)
		}
	}
	var counts struct {
		Total         int
		Conversations []struct {
			ConversationID uint64 `json:"conversation_id"`
			Unseen         int
		}
	}
	e.must(200, "GET", "/api/v1/me/unseen", f.agentTok, nil).decode(t, &counts)
	if counts.Total != 2 || len(counts.Conversations) != 2 {
		t.Fatalf("unseen counts %+v", counts)
	}
	ds := e.deliveries(internal)
	if _, ok := ds["carol@example.com"]; ok || len(ds) != 1 {
		t.Fatalf("internal message deliveries: %+v", ds)
	}
	// A customer may not see deliveries nor mark internal messages seen.
	e.must(404, "GET", pathf("/api/v1/messages/%d/deliveries", a), f.custTok, nil)
	e.must(404, "POST", pathf("/api/v1/messages/%d/seen", internal), f.custTok, nil)
	e.must(404, "POST", "/api/v1/messages/999/seen", f.agentTok, nil)
}

// Timers live in the store: an overdue one fires after a restart.
func TestPendingTimersSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	e := openEnv(t, dir)
	f := e.fixture()
	e.post(f.external, f.agentTok, "before the restart")
	e.close()
	e2 := openEnv(t, dir)
	e2.clock.Advance(2 * time.Minute)
	e2.fire()
	if sent := e2.outbox.sent(); len(sent) != 1 || sent[0].Messages[0].Body != "before the restart" {
		t.Fatalf("after restart: %+v", sent)
	}
}

// The event stream delivers a notification at once, and replays missed
// ones after Last-Event-ID.
func TestEventStream(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := e.openEvents(ctx, f.custTok, "")
	m1 := e.post(f.external, f.agentTok, "hello")
	ev := nextEvent(t, events)
	if ev.name != "notification" || ev.id != pathf("%d", m1) || !strings.Contains(ev.data, pathf(`"message_id":%d`, m1)) {
		t.Fatalf("event %+v", ev)
	}
	m2 := e.post(f.external, f.agentTok, "missed one")
	m3 := e.post(f.external, f.agentTok, "missed two")
	replay := e.openEvents(ctx, f.custTok, pathf("%d", m1))
	for _, want := range []uint64{m2, m3} {
		if ev := nextEvent(t, replay); ev.id != pathf("%d", want) {
			t.Fatalf("replay got %+v, want id %d", ev, want)
		}
	}
}

// A client that missed more notifications than one page of the inbox
// holds (500) gets every one of them replayed, not only the oldest page:
// the live stream only carries ids above the replay's last, so a page cut
// short would lose the rest for good.
func TestEventStreamReplaysEveryMissed(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	first := e.post(f.external, f.agentTok, "seen before the stream dropped")
	const missed = 520
	var last uint64
	for i := range missed {
		last = e.post(f.external, f.agentTok, pathf("missed %d", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	replay := e.openEvents(ctx, f.custTok, pathf("%d", first))
	got := 0
	for got < missed {
		ev := nextEvent(t, replay)
		got++
		if ev.id == pathf("%d", last) {
			break
		}
	}
	if got != missed {
		t.Fatalf("replayed %d of %d missed notifications before the newest", got, missed)
	}
	// And the stream still carries new ones after the replay.
	next := e.post(f.external, f.agentTok, "live again")
	if ev := nextEvent(t, replay); ev.id != pathf("%d", next) {
		t.Fatalf("after the replay got %+v, want id %d", ev, next)
	}
}

type sse struct{ id, name, data string }

// openEvents connects to /me/events and returns parsed events (heartbeat
// comments are skipped but prove the stream is alive).
func (e *env) openEvents(ctx context.Context, token, lastID string) <-chan sse {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		e.t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan sse, 16)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, ch <-chan sse) sse {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event stream closed")
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s")
	}
	return sse{}
}

// An author created without a name is named by the local part of the
// address in the email's From, not left blank.
func TestEmailFromNamesAnAuthorWithoutAName(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	id := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "nameless@support.test"}).id(t)
	tok := e.must(201, "POST", pathf("/api/v1/users/%d/tokens", id), adminToken, nil)
	var tk struct{ Token string }
	tok.decode(t, &tk)
	e.post(f.external, tk.Token, "hello")
	e.post(f.external, f.agentTok, "and hello from Agnes")
	e.clock.Advance(2 * time.Minute)
	e.fire()
	sent := e.outbox.sent()
	if len(sent) != 1 || sent[0].FromName != "nameless, Agnes Agent" {
		t.Fatalf("emails %d, From name %q", len(sent), sent[0].FromName)
	}
}
