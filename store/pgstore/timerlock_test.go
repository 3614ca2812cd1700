package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// TestTimerDueWaitsForTheBatchHoldingIt: a timer fired on its own (the
// timer loop's way out when a batch fails) is read with its row locked:
// while another transaction (a batch on this node or another) holds the
// timer, TimerDue in a write transaction waits, then sees what that one
// left (here: the timer fired and gone), so the timer is not fired twice.
func TestTimerDueWaitsForTheBatchHoldingIt(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	r := store.Recipient{Type: store.KindUser, ID: 7}
	due := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := a.Update(ctx, func(tx store.Tx) error { return tx.SetTimer(r, 3, due) }); err != nil {
		t.Fatal(err)
	}
	held, release, batch := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		batch <- a.Update(ctx, func(tx store.Tx) error {
			ts, err := tx.DueTimers(due.Add(time.Minute), 10)
			if err != nil || len(ts) != 1 {
				close(held)
				return err
			}
			close(held)
			<-release
			return tx.DeleteTimer(r, 3)
		})
	}()
	<-held
	type seen struct {
		ok  bool
		err error
	}
	single := make(chan seen, 1)
	go func() {
		var s seen
		s.err = b.Update(ctx, func(tx store.Tx) error {
			var err error
			_, s.ok, err = tx.TimerDue(r, 3)
			return err
		})
		single <- s
	}()
	select {
	case s := <-single:
		close(release)
		<-batch
		t.Fatalf("TimerDue answered (ok %v, err %v) while a batch held the timer: it did not wait for it", s.ok, s.err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-batch; err != nil {
		t.Fatal(err)
	}
	s := <-single
	if s.err != nil {
		t.Fatal(s.err)
	}
	if s.ok {
		t.Fatal("TimerDue still found the timer the batch fired and deleted: it would fire twice")
	}
}
