package webapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webapi"
	"github.com/deskgate/deskgate/webhooks"
	"github.com/prometheus/client_golang/prometheus"
)

// newWebhookEnv is newEnv with the events recorded and a dispatcher
// running, as deskgate serve has them.
func newWebhookEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	rec := events.Record(storetest.Open(t, dir), nil)
	clock := clocktest.New(time.Now().UTC())
	svc := bridge.New(rec, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test", UnseenDelay: time.Minute,
		TokenKey: []byte("test key, 32 bytes long........."), PublicURL: "https://desk.test",
		Accounts: bridge.AccountsConfig{Argon2: bridge.Argon2Params{Memory: 64, Time: 1, Threads: 1}}}, clock, nil)
	outbox := &recordingOutbox{}
	svc.SetOutbox(outbox)
	if _, err := svc.Directory.Bootstrap(context.Background(), adminToken); err != nil {
		t.Fatal(err)
	}
	admin := webhooks.NewAdmin(rec, true, nil)
	disp := webhooks.NewDispatcher(rec, webhooks.Options{Node: "n1", AllowPrivate: true, Render: webapi.EventData, Poll: 50 * time.Millisecond,
		Retry: []time.Duration{50 * time.Millisecond}})
	rec.SetNotify(disp.Kick)
	admin.SetKick(disp.Kick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { disp.Run(ctx); close(done) }()
	api := webapi.New(domain(svc), webapi.Options{Registry: prometheus.NewRegistry(), Webhooks: admin}, nil)
	e := &env{t: t, srv: httptest.NewServer(api.Handler()), svc: svc, st: rec, dir: dir, router: openapiRouter(t), clock: clock, outbox: outbox}
	t.Cleanup(func() { cancel(); <-done; e.close() })
	return e
}

type hookHit struct {
	ID, Type string
	Data     json.RawMessage
	Verified bool
}

// hookReceiver verifies each request's signature with the secret it is
// given and keeps the requests.
func hookReceiver(t *testing.T) (*httptest.Server, func(secret string), func() []hookHit) {
	var mu sync.Mutex
	var secret string
	var hits []hookHit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		var b struct {
			Type string
			Data json.RawMessage
		}
		_ = json.Unmarshal(body, &b)
		mu.Lock()
		hits = append(hits, hookHit{ID: r.Header.Get("webhook-id"), Type: b.Type, Data: b.Data,
			Verified: webhooks.Verify(secret, r.Header.Get("webhook-id"), ts, body, r.Header.Get("webhook-signature"))})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, func(s string) { mu.Lock(); secret = s; mu.Unlock() }, func() []hookHit { mu.Lock(); defer mu.Unlock(); return append([]hookHit(nil), hits...) }
}

// Events reach a webhook as the API shows their records to an admin;
// the delivery log and redelivery work through the API (SPEC §14).
func TestWebhooksThroughTheAPI(t *testing.T) {
	e := newWebhookEnv(t)
	f := e.fixture()
	srv, setSecret, hits := hookReceiver(t)
	e.must(403, "POST", "/api/v1/webhooks", f.agentTok, map[string]any{"url": srv.URL, "events": []string{"message.created"}})
	e.must(422, "POST", "/api/v1/webhooks", adminToken, map[string]any{"url": srv.URL, "events": []string{"message.deleted"}})
	var w struct {
		ID     uint64
		Secret string
		Events []string
	}
	e.must(201, "POST", "/api/v1/webhooks", adminToken, map[string]any{"url": srv.URL,
		"events": []string{"message.created", "item.status_changed", "conversation.created"}}).decode(t, &w)
	if !strings.HasPrefix(w.Secret, "whsec_") || len(w.Events) != 3 {
		t.Fatalf("created %+v", w)
	}
	setSecret(w.Secret)
	if r := e.must(200, "GET", pathf("/api/v1/webhooks/%d", w.ID), adminToken, nil); strings.Contains(string(r.body), w.Secret) {
		t.Fatal("GET shows the secret")
	}

	msg := e.post(f.external, f.custTok, "The printer is still on fire")
	conv := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "internal", "subject": "Fire drill"}).id(t)
	e.must(200, "PUT", pathf("/api/v1/items/%d", f.item), adminToken, map[string]string{"status": "closed"})
	var got []hookHit
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if got = hits(); len(got) >= 3 {
			break
		}
	}
	byType := map[string]hookHit{}
	for _, h := range got {
		if !h.Verified {
			t.Fatalf("a signature does not verify: %+v", h)
		}
		byType[h.Type] = h
	}
	if len(got) != 3 || len(byType) != 3 {
		t.Fatalf("hits: %+v", got)
	}
	var apiMsgs []json.RawMessage
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), adminToken, nil).decode(t, &apiMsgs)
	var a, b map[string]any
	_ = json.Unmarshal(apiMsgs[len(apiMsgs)-1], &a)
	_ = json.Unmarshal(byType["message.created"].Data, &b)
	if a["id"] != float64(msg) || !jsonEqual(a, b) {
		t.Fatalf("message.created data %s, the API shows %s", byType["message.created"].Data, apiMsgs[len(apiMsgs)-1])
	}
	var c struct{ ID uint64 }
	var it struct {
		Status         string
		PreviousStatus string `json:"previous_status"`
	}
	_ = json.Unmarshal(byType["conversation.created"].Data, &c)
	_ = json.Unmarshal(byType["item.status_changed"].Data, &it)
	if c.ID != conv || it.PreviousStatus != "open" || it.Status != "closed" {
		t.Fatalf("conversation.created %s, item.status_changed %s", byType["conversation.created"].Data, byType["item.status_changed"].Data)
	}

	var ds []struct {
		ID             uint64
		Event, Status  string
		Attempts       int
		LastStatusCode int `json:"last_status_code"`
	}
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		// The receiver answers before the outcome is recorded.
		e.must(200, "GET", pathf("/api/v1/webhooks/%d/deliveries?limit=2", w.ID), adminToken, nil).decode(t, &ds)
		if len(ds) == 2 && ds[0].Status == "delivered" && ds[1].Status == "delivered" {
			break
		}
	}
	if len(ds) != 2 || ds[0].ID < ds[1].ID || ds[0].Status != "delivered" || ds[0].LastStatusCode != 204 {
		t.Fatalf("deliveries: %+v", ds)
	}
	e.must(202, "POST", pathf("/api/v1/webhooks/%d/deliveries/%d/redeliver", w.ID, ds[0].ID), adminToken, nil)
	for end := time.Now().Add(20 * time.Second); len(hits()) < 4 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
	}
	if h := hits(); len(h) != 4 || h[3].ID != ds[0].Event {
		t.Fatalf("redelivery: %+v, want id %s", h, ds[0].Event)
	}
	e.must(404, "POST", pathf("/api/v1/webhooks/%d/deliveries/%d/redeliver", w.ID+1, ds[0].ID), adminToken, nil)
	e.must(200, "PUT", pathf("/api/v1/webhooks/%d", w.ID), adminToken, map[string]any{"enabled": false})
	e.must(204, "DELETE", pathf("/api/v1/webhooks/%d", w.ID), adminToken, nil)
	e.must(404, "GET", pathf("/api/v1/webhooks/%d/deliveries", w.ID), adminToken, nil)
}

func jsonEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Every event type of the catalogue is recorded and rendered: an inbound
// mail (maillog.inbound, item/conversation/message.created), a recipient
// seeing it (delivery.updated), assignees and a mailbox's state.
func TestEveryEventTypeIsDelivered(t *testing.T) {
	e := newWebhookEnv(t)
	f := e.fixture()
	srv, setSecret, hits := hookReceiver(t)
	var w struct{ Secret string }
	e.must(201, "POST", "/api/v1/webhooks", adminToken, map[string]any{"url": srv.URL, "events": events.Types}).decode(t, &w)
	setSecret(w.Secret)
	e.receive("dora@example.net", "From: Dora <dora@example.net>\nTo: support@support.test\nSubject: New printer\nMessage-ID: <dora-1@example.net>\n\nHello, it smokes.\n")
	msg := e.post(f.external, f.agentTok, "On it")
	e.must(204, "POST", pathf("/api/v1/messages/%d/seen", msg), f.custTok, nil)
	e.must(200, "PUT", pathf("/api/v1/items/%d/assignees", f.item), adminToken, map[string]any{"user_ids": []uint64{f.agentID}})
	e.must(200, "PUT", pathf("/api/v1/items/%d", f.item), adminToken, map[string]string{"status": "closed"})
	mb := e.must(201, "POST", "/api/v1/mailboxes", adminToken, map[string]any{"host": "127.0.0.1", "port": 1, "tls": "none", "username": "u", "password": "p"}).id(t)
	if _, _, err := e.svc.Mailboxes.ClaimMailbox(context.Background(), mb, "n1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Mailboxes.SetMailboxStatus(context.Background(), mb, "n1", "error", "connection refused", false); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for end := time.Now().Add(20 * time.Second); len(seen) < len(events.Types) && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		for _, h := range hits() {
			if !h.Verified || len(h.Data) < 10 {
				t.Fatalf("hit %+v", h)
			}
			seen[h.Type] = true
		}
	}
	for _, typ := range events.Types {
		if !seen[typ] {
			t.Errorf("no %s event delivered (got %v)", typ, seen)
		}
	}
}
