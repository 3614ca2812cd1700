package bridge_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// parallelStore says its writes run side by side (store.ParallelWriter)
// and watches FireDue's write transactions: the first that claims a full
// batch waits, before it fires its timers, until another write
// transaction has begun (at most 20 s).
type parallelStore struct {
	store.Store
	mu       sync.Mutex
	entered  int // write transactions begun
	waited   bool
	overlaps bool // a second began while a full batch was held
}

func (p *parallelStore) ParallelWrites() int { return 3 }

func (p *parallelStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	p.mu.Lock()
	p.entered++
	p.mu.Unlock()
	return p.Store.Update(ctx, func(tx store.Tx) error { return fn(&watchedTx{Tx: tx, p: p}) })
}

type watchedTx struct {
	store.Tx
	p    *parallelStore
	full bool
}

func (t *watchedTx) DueTimers(now time.Time, max int) ([]store.Timer, error) {
	ts, err := t.Tx.DueTimers(now, max)
	t.full = len(ts) == max
	return ts, err
}

func (t *watchedTx) TimerDue(r store.Recipient, conv uint64) (time.Time, bool, error) {
	p := t.p
	p.mu.Lock()
	first := t.full && !p.waited
	if first {
		p.waited = true
		before := p.entered
		deadline := time.Now().Add(20 * time.Second)
		for p.entered == before && time.Now().Before(deadline) {
			p.mu.Unlock()
			time.Sleep(time.Millisecond)
			p.mu.Lock()
		}
		p.overlaps = p.entered > before
	}
	t.full = false
	p.mu.Unlock()
	return t.Tx.TimerDue(r, conv)
}

// On a store whose writes run side by side, a batch that claims a full
// fireBatch starts another beside it, and each recipient is still emailed
// once (on bbolt the transactions queue behind each other; on PostgreSQL
// each claims its own timers, FOR UPDATE SKIP LOCKED).
func TestFireDueFiresBatchesSideBySide(t *testing.T) {
	const n = 700 // more than two batches of 256
	w := newWorld(t, n, &logOutbox{})
	w.post(t, "hello")
	w.clock.Advance(time.Minute)
	p := &parallelStore{Store: w.st}
	svc := bridge.New(p, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("test key, 32 bytes long.........")}, w.clock, nil)
	svc.SetOutbox(w.out)
	if err := svc.Notifications.FireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !p.overlaps {
		t.Fatal("no second write transaction began while the first full batch was held: batches fired one after the other")
	}
	got := queued(t, w.st)
	for _, addr := range w.emails {
		if got[addr] != 1 {
			t.Fatalf("%s got %d emails, want 1", addr, got[addr])
		}
	}
	if left := w.timers(t); left != 0 {
		t.Fatalf("%d timers left after firing", left)
	}
}
