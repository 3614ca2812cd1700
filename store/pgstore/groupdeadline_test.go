package pgstore

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestGroupEndsAtItsMembersDeadline: a group whose members all have
// deadlines gives up at the latest of them when the database stalls (here
// one member's statement sleeps 30 s), and each member is answered then,
// as each alone would have been, rather than when the stall ends.
func TestGroupEndsAtItsMembersDeadline(t *testing.T) {
	pgtest.Require(t)
	s, err := Open(context.Background(), pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := s.UpdateGroup(ctx,
		func(tx store.Tx) error {
			return tx.CreateCustomer(&store.Customer{Email: "first@example.com"})
		},
		func(tx store.Tx) error {
			t := tx.(*Tx) // as the store's own statements run: under the Tx's context
			_, err := t.tx.Exec(t.ctx, `SELECT pg_sleep(30)`)
			return err
		})
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("the group answered after %v: it waited for the stalled statement, not for its members' deadline", took)
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("member %d: committed, though the group ran past its deadline", i)
		}
	}
}

// TestQueuedCallerThatGaveUpIsNotRun: an Update whose context ends while
// it waits in the queue is answered with that context's error, and its
// function never runs.
func TestQueuedCallerThatGaveUpIsNotRun(t *testing.T) {
	pgtest.Require(t)
	s, err := Open(context.Background(), pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := occupyCommitters(t, s, func(store.Tx, int) error { return nil })
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	answered := make(chan error, 1)
	go func() {
		answered <- s.Update(ctx, func(tx store.Tx) error {
			ran.Store(true)
			return tx.CreateCustomer(&store.Customer{Email: "gone@example.com"})
		})
	}()
	waitFor(t, func() bool { s.writes.mu.Lock(); defer s.writes.mu.Unlock(); return len(s.writes.queue) == 1 })
	cancel()
	release()
	if err := <-answered; !errors.Is(err, context.Canceled) {
		t.Errorf("Update answered %v, want context.Canceled", err)
	}
	if ran.Load() {
		t.Error("the function of a caller that gave up while queued was run")
	}
}
