package outbound

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// countingStore counts read transactions (the queue loop's polls).
type countingStore struct {
	store.Store
	views atomic.Int64
}

func (c *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	c.views.Add(1)
	return c.Store.View(ctx, fn)
}

// While a worker holds the only pending email, and it is already due
// again (its attempt outlasts its retry delay), the loop does not poll
// the store over and over: there is nothing it could start. It used to
// read min(next_ns) and the due emails every millisecond.
func TestIdleLoopDoesNotPollWhileEmailInFlight(t *testing.T) {
	up := startUpstream(t)
	arrived, release := up.holdData(t)
	e := newEnv(t, up.addr, nil)
	cs := &countingStore{Store: e.st}
	e.q.st = cs
	e.start()
	id := e.enqueue(1, "carla@example.org")
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the attempt did not reach the upstream")
	}
	if rec := e.record(id); rec.Attempts != 1 || !e.inflight(id) {
		t.Fatalf("email not in flight: %+v", rec)
	}
	// The attempt outlasts its retry delay: the email is due, and held.
	e.clock.Advance(2 * time.Minute)
	e.q.Kick()
	before := cs.views.Load()
	start := time.Now()
	time.Sleep(1500 * time.Millisecond)
	reads, took := cs.views.Load()-before, time.Since(start)
	// A pass after the kick, then one per heldPoll at most.
	limit := int64(4 + 2*took/heldPoll)
	t.Logf("%d store reads in %v with the email in flight", reads, took)
	if reads > limit {
		t.Errorf("%d store reads in %v while the only email was in flight, want at most %d", reads, took, limit)
	}
	release()
	e.waitState(id, store.OutboundSent)
}
