package outbound

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/templates"
	"github.com/prometheus/client_golang/prometheus"
)

const testDomain = "support.test"

var (
	keysOnce sync.Once
	keys     []Key
	keysErr  error
)

// testKeys generates one RSA and one Ed25519 key for the whole test run.
func testKeys(t testing.TB) []Key {
	t.Helper()
	keysOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deskgate-dkim")
		if err != nil {
			keysErr = err
			return
		}
		keys, keysErr = LoadOrCreateKeys(dir, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

// env is a queue over a real store in a temporary directory.
type env struct {
	t     *testing.T
	dir   string
	st    store.Store
	svc   *bridge.Service
	q     *Queue
	reg   *prometheus.Registry
	clock *clocktest.Clock
	opts  Options

	cancel context.CancelFunc
	done   chan struct{}
}

func newEnv(t *testing.T, smarthost string, mod func(*Options)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: clocktest.New(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))}
	e.opts = Options{
		Domain: testDomain, Hostname: "mx." + testDomain, Keys: testKeys(t), Smarthost: smarthost,
		RetrySchedule: []time.Duration{time.Minute, 5 * time.Minute}, Lifetime: time.Hour,
		Clock: e.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AttemptTimeout: 20 * time.Second, ShutdownTimeout: 10 * time.Second,
	}
	if mod != nil {
		mod(&e.opts)
	}
	e.open()
	t.Cleanup(e.close)
	return e
}

// open opens the store and a new queue over it (again after close: a restart).
func (e *env) open() {
	st := storetest.Open(e.t, e.dir)
	e.st = st
	e.svc = bridge.New(st, bridge.Config{Domains: []string{testDomain}, Hostname: "mx." + testDomain, TokenKey: make([]byte, 32)}, e.clock, nil)
	opts := e.opts
	opts.BounceAddress, opts.Outcomes = e.svc.Addresses.BounceAddress, e.svc.Messaging
	e.reg = prometheus.NewRegistry()
	opts.Registry = e.reg
	var err error
	if e.q, err = New(st, opts); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() { defer close(e.done); _ = e.q.Run(ctx) }()
}

func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(30 * time.Second):
		e.t.Fatal("queue did not stop")
	}
	e.cancel = nil
}

func (e *env) close() {
	e.stop()
	if e.st != nil {
		e.st.Close()
		e.st = nil
	}
}

// testEmail is a bridge.Email as the bridge builds it.
func testEmail(n int, to string) *bridge.Email {
	conv := store.Conversation{ID: 7, Kind: store.KindExternal, Subject: "Printer on fire"}
	return &bridge.Email{
		Recipient:    store.Recipient{Type: store.KindCustomer, ID: 3, Email: to, Name: "Carla Customer"},
		Conversation: conv,
		Messages: []store.Message{{
			ID: uint64(100 + n), ConversationID: 7, Author: store.Author{Type: store.AuthorUser, ID: 1, Name: "Alice Agent", Email: "alice@" + testDomain},
			Body: fmt.Sprintf("Message %d: have you tried turning it off?", n), CreatedAt: time.Date(2026, 12, 1, 11, 59, 0, 0, time.UTC),
		}},
		MessageID:  fmt.Sprintf("dg.test%d@mx.%s", n, testDomain),
		InReplyTo:  "root7@mx." + testDomain,
		References: []string{"root7@mx." + testDomain},
		ReplyTo:    "reply+tok" + fmt.Sprint(n) + "@" + testDomain,
		FromName:   "Alice Agent",
	}
}

// enqueue queues email n to `to` the way the bridge does: in one
// transaction with its delivery linked.
func (e *env) enqueue(n int, to string) uint64 {
	e.t.Helper()
	em := testEmail(n, to)
	var id uint64
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		var err error
		if id, err = e.q.Enqueue(tx, em); err != nil {
			return err
		}
		now := e.clock.Now()
		d := &store.Delivery{MessageID: em.Messages[0].ID, ConversationID: 7, Recipient: em.Recipient, NotifiedAt: now,
			EmailStatus: store.EmailQueued, EmailedAt: &now, OutboundID: id}
		if err := tx.LinkEmail(id, d); err != nil {
			return err
		}
		return tx.PutDelivery(d)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.q.Kick()
	return id
}

// credentialEmail is a welcome or password-reset email (tmpl) as the
// bridge builds it: to a user, its text carrying a password link.
func credentialEmail(tmpl, subject, to, link string) *bridge.Email {
	return &bridge.Email{
		Recipient: store.Recipient{Type: store.KindUser, ID: 2, Email: to, Name: "Ann"},
		MessageID: "dg." + tmpl + "1@mx." + testDomain,
		Rendered:  templates.Rendered{Subject: subject, Text: "Open " + link + " to choose your password.\n"},
		Template:  tmpl,
		Cause:     tmpl + " email",
	}
}

// enqueueEmail queues em on its own (as the bridge queues an account
// email: no delivery linked) and kicks the queue.
func (e *env) enqueueEmail(em *bridge.Email) uint64 {
	e.t.Helper()
	var id uint64
	if err := e.st.Update(context.Background(), func(tx store.Tx) error {
		var err error
		id, err = e.q.Enqueue(tx, em)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	e.q.Kick()
	return id
}

func (e *env) record(id uint64) *store.OutboundEmail {
	e.t.Helper()
	var rec *store.OutboundEmail
	if err := e.st.View(context.Background(), func(tx store.Tx) error { var err error; rec, err = tx.Outbound(id); return err }); err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// waitState waits (bounded) until email id is in state.
func (e *env) waitState(id uint64, state string) *store.OutboundEmail {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := e.record(id)
		if rec.State == state {
			return rec
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("email %d: state %s (%s), want %s", id, rec.State, rec.LastResult, state)
		}
		e.q.Kick()
		time.Sleep(5 * time.Millisecond)
	}
}

// waitAttempts waits until email id has been attempted n times and the
// result of the last attempt is recorded.
func (e *env) waitAttempts(id uint64, n int) *store.OutboundEmail {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := e.record(id)
		// A bounced email gets no more attempts: it is final.
		if (rec.Attempts >= n || rec.State == store.OutboundBounced) && !e.inflight(id) {
			return rec
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("email %d: %d attempts, state %s, want %d attempts", id, rec.Attempts, rec.State, n)
		}
		e.q.Kick()
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) inflight(id uint64) bool {
	e.q.mu.Lock()
	defer e.q.mu.Unlock()
	_, ok := e.q.inflight[id]
	return ok
}

// waitIdle waits until no worker runs (results and metrics recorded).
func (e *env) waitIdle() {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		e.q.mu.Lock()
		n := e.q.workers
		e.q.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d workers still running", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until the queue loop has completed a dispatch pass that
// began after the call, and every worker has finished: whatever the queue
// does with the store as it is now has then been done and recorded. It
// replaces "kick and sleep a bit" before asserting that nothing happened.
func (e *env) settle() {
	e.t.Helper()
	passes := func() uint64 {
		e.q.mu.Lock()
		defer e.q.mu.Unlock()
		return e.q.passes
	}
	// The pass running now may have read the store before the caller's
	// change; the one after it cannot have.
	want := passes() + 2
	deadline := time.Now().Add(30 * time.Second)
	for passes() < want {
		if time.Now().After(deadline) {
			e.t.Fatalf("queue loop made %d passes in 30 s, want %d", passes(), want)
		}
		e.q.Kick()
		time.Sleep(time.Millisecond)
	}
	e.waitIdle()
}

func (e *env) logEntry(id uint64) *store.MailLogEntry {
	e.t.Helper()
	rec := e.record(id)
	var m *store.MailLogEntry
	if err := e.st.View(context.Background(), func(tx store.Tx) error { var err error; m, err = tx.MailLog(rec.MailLogID); return err }); err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) deliveries(id uint64) []store.Delivery {
	e.t.Helper()
	var ds []store.Delivery
	if err := e.st.View(context.Background(), func(tx store.Tx) error { var err error; ds, err = tx.EmailDeliveries(id); return err }); err != nil {
		e.t.Fatal(err)
	}
	if len(ds) == 0 {
		e.t.Fatalf("email %d has no deliveries", id)
	}
	return ds
}

// eventually polls cond (real time, bounded) for what the queue loop does.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
