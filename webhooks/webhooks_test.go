package webhooks_test

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
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webhooks"
)

var adminCaller = bridge.Caller{Kind: store.KindUser, ID: 1, Role: store.RoleAdmin}

// hit is one request a receiver got.
type hit struct {
	id, ts, sig, body string
	verified          bool
}

// receiver is a real HTTP endpoint that verifies every signature and
// answers with the codes given in turn (the last repeats).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	secret string
	codes  []int
	hang   time.Duration
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		ts, _ := strconv.ParseInt(req.Header.Get("webhook-timestamp"), 10, 64)
		h := hit{id: req.Header.Get("webhook-id"), ts: req.Header.Get("webhook-timestamp"), sig: req.Header.Get("webhook-signature"), body: string(body)}
		h.verified = webhooks.Verify(r.secret, h.id, ts, body, h.sig)
		r.hits = append(r.hits, h)
		code := r.codes[min(len(r.hits)-1, len(r.codes)-1)]
		hang := r.hang
		r.mu.Unlock()
		if hang > 0 {
			select {
			case <-req.Context().Done():
			case <-time.After(hang):
			}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

type rig struct {
	st    *events.Store
	admin *webhooks.Admin
	disp  *webhooks.Dispatcher
}

func newRig(t *testing.T, opts webhooks.Options) *rig {
	st := events.Record(storetest.Open(t, t.TempDir()), nil)
	t.Cleanup(func() { st.Close() })
	if opts.Retry == nil {
		opts.Retry = []time.Duration{50 * time.Millisecond}
	}
	opts.Node, opts.Poll = "n1", 50*time.Millisecond
	r := &rig{st: st, admin: webhooks.NewAdmin(st, true, nil), disp: webhooks.NewDispatcher(st, opts)}
	st.SetNotify(r.disp.Kick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.disp.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *rig) hook(t *testing.T, url string, evs ...string) *store.Webhook {
	w, err := r.admin.Create(context.Background(), adminCaller, webhooks.Input{URL: &url, Events: &evs})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("secret %q", w.Secret)
	}
	return w
}

// project creates a project and an item in it (item.created).
func (r *rig) item(t *testing.T, title string) uint64 {
	var id uint64
	err := r.st.Update(context.Background(), func(tx store.Tx) error {
		p := &store.Project{Name: "P"}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Title: title, Status: store.ItemOpen}
		err := tx.CreateItem(it)
		id = it.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A receiver answering 500 then 204 gets the event twice under the same
// webhook-id, both signed; the delivery log tells both attempts.
func TestRetryKeepsTheWebhookIDAndEverySignatureVerifies(t *testing.T) {
	rcv := newReceiver(t, 500, 204)
	r := newRig(t, webhooks.Options{AllowPrivate: true})
	w := r.hook(t, rcv.URL, events.ItemCreated)
	rcv.secret = w.Secret
	r.item(t, "Printer on fire")
	waitFor(t, "two attempts", func() bool { return len(rcv.got()) >= 2 })
	hs := rcv.got()
	if len(hs) != 2 || hs[0].id != hs[1].id || !strings.HasPrefix(hs[0].id, "msg_") || hs[0].body != hs[1].body {
		t.Fatalf("attempts: %+v", hs)
	}
	for _, h := range hs {
		if !h.verified {
			t.Fatalf("signature %q does not verify", h.sig)
		}
	}
	var body struct {
		Type      string
		Timestamp time.Time
		Data      struct{ Title string }
	}
	if err := json.Unmarshal([]byte(hs[0].body), &body); err != nil || body.Type != events.ItemCreated || body.Data.Title != "Printer on fire" || body.Timestamp.IsZero() {
		t.Fatalf("body %s: %v", hs[0].body, err)
	}
	var ds []store.WebhookDelivery
	waitFor(t, "the delivery recorded", func() bool {
		ds, _ = r.admin.Deliveries(context.Background(), adminCaller, w.ID)
		return len(ds) == 1 && ds[0].Status == store.WebhookDelivered
	})
	if ds[0].Attempts != 2 || ds[0].LastStatusCode != 204 || ds[0].LastError != "" {
		t.Fatalf("delivery log: %+v", ds[0])
	}
	// Redelivery sends it again, under the same id.
	if _, err := r.admin.Redeliver(context.Background(), adminCaller, w.ID, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redelivery", func() bool { return len(rcv.got()) == 3 })
	if h := rcv.got()[2]; h.id != hs[0].id || !h.verified {
		t.Fatalf("redelivery: %+v", h)
	}
	// A tampered body does not verify.
	ts, _ := strconv.ParseInt(hs[0].ts, 10, 64)
	if webhooks.Verify(w.Secret, hs[0].id, ts, []byte(hs[0].body+" "), hs[0].sig) {
		t.Fatal("a changed body verifies")
	}
}

// 410 Gone disables the webhook: its later events are not sent.
func TestGoneDisablesTheWebhook(t *testing.T) {
	rcv := newReceiver(t, 410)
	r := newRig(t, webhooks.Options{AllowPrivate: true})
	w := r.hook(t, rcv.URL, events.ItemCreated)
	rcv.secret = w.Secret
	r.item(t, "one")
	waitFor(t, "the webhook disabled", func() bool {
		got, _ := r.admin.Get(context.Background(), adminCaller, w.ID)
		return !got.Enabled && got.DisabledReason != ""
	})
	r.item(t, "two")
	time.Sleep(300 * time.Millisecond)
	if n := len(rcv.got()); n != 1 {
		t.Fatalf("%d requests to a disabled webhook's receiver", n)
	}
	ds, _ := r.admin.Deliveries(context.Background(), adminCaller, w.ID)
	if len(ds) != 1 || ds[0].Status != store.WebhookFailed || ds[0].LastStatusCode != 410 {
		t.Fatalf("deliveries: %+v", ds)
	}
}

// A receiver that hangs costs one attempt its timeout and holds up
// nobody else's deliveries.
func TestHangingReceiverCostsOnlyItsTimeout(t *testing.T) {
	slow := newReceiver(t, 204)
	slow.hang = time.Minute
	fast := newReceiver(t, 204)
	r := newRig(t, webhooks.Options{AllowPrivate: true, Timeout: 500 * time.Millisecond, Retry: []time.Duration{time.Hour}})
	ws := r.hook(t, slow.URL, events.ItemCreated)
	wf := r.hook(t, fast.URL, events.ItemCreated)
	slow.secret, fast.secret = ws.Secret, wf.Secret
	start := time.Now()
	r.item(t, "x")
	waitFor(t, "the fast receiver", func() bool { return len(fast.got()) == 1 })
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the fast receiver waited %v behind the hanging one", d)
	}
	waitFor(t, "the hanging attempt recorded", func() bool {
		ds, _ := r.admin.Deliveries(context.Background(), adminCaller, ws.ID)
		return len(ds) == 1 && ds[0].Attempts == 1
	})
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a hanging attempt took %v with a 500ms timeout", d)
	}
	ds, _ := r.admin.Deliveries(context.Background(), adminCaller, ws.ID)
	if ds[0].Status != store.WebhookPending || ds[0].LastError == "" {
		t.Fatalf("the hanging delivery: %+v", ds[0])
	}
}

// Loopback and private targets are refused unless allowed, when saved and
// when dialled.
func TestPrivateTargetsRefused(t *testing.T) {
	st := events.Record(storetest.Open(t, t.TempDir()), nil)
	defer st.Close()
	strict := webhooks.NewAdmin(st, false, nil)
	evs := []string{events.ItemCreated}
	for _, u := range []string{"http://127.0.0.1:9/x", "http://[::1]/x", "http://10.1.2.3/", "http://192.168.1.1/", "http://169.254.169.254/latest", "http://localhost:8080/", "ftp://example.com/", "http://user:pw@example.com/"} {
		u := u
		_, err := strict.Create(context.Background(), adminCaller, webhooks.Input{URL: &u, Events: &evs})
		if bridge.KindOf(err) != bridge.KindInvalid {
			t.Errorf("%s: %v, want invalid", u, err)
		}
	}
	bad := []string{"no.such.event"}
	u := "http://127.0.0.1/"
	if _, err := webhooks.NewAdmin(st, true, nil).Create(context.Background(), adminCaller, webhooks.Input{URL: &u, Events: &bad}); bridge.KindOf(err) != bridge.KindInvalid {
		t.Errorf("unknown event: %v", err)
	}
	agent := bridge.Caller{Kind: store.KindUser, ID: 2, Role: store.RoleAgent}
	if _, err := strict.List(context.Background(), agent); bridge.KindOf(err) != bridge.KindForbidden {
		t.Errorf("an agent lists webhooks: %v", err)
	}

	// Saved while allowed, sent by a dispatcher that is not: refused at connect.
	rcv := newReceiver(t, 204)
	r := newRig(t, webhooks.Options{AllowPrivate: false, Retry: []time.Duration{time.Hour}})
	w := r.hook(t, rcv.URL, events.ItemCreated)
	r.item(t, "x")
	waitFor(t, "the refused attempt", func() bool {
		ds, _ := r.admin.Deliveries(context.Background(), adminCaller, w.ID)
		return len(ds) == 1 && ds[0].Attempts == 1
	})
	ds, _ := r.admin.Deliveries(context.Background(), adminCaller, w.ID)
	if !strings.Contains(ds[0].LastError, "private") || len(rcv.got()) != 0 {
		t.Fatalf("a private target was dialled: %+v, %d hits", ds[0], len(rcv.got()))
	}
}
