package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// TestSetTimerLeavesAnEarlierPendingRowUntouched: setting a timer that is
// already pending earlier (a follower of a busy conversation, at every
// post) writes nothing to its row: no update and no row lock, which an
// upsert would take (a lock writes the row's xmax and a WAL record, 1,000
// of them for a post to 1,000 followers). A later one is still moved
// earlier and a missing one created.
func TestSetTimerLeavesAnEarlierPendingRowUntouched(t *testing.T) {
	s, _ := twoNodes(t)
	ctx := context.Background()
	early := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	pending := store.Recipient{Type: store.KindUser, ID: 1}
	later := store.Recipient{Type: store.KindUser, ID: 2}
	fresh := store.Recipient{Type: store.KindCustomer, ID: 3}
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.SetTimer(pending, 5, early); err != nil {
			return err
		}
		return tx.SetTimer(later, 5, early.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		for _, r := range []store.Recipient{pending, later, fresh} {
			if err := tx.SetTimer(r, 5, early.Add(time.Minute)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Pool().Query(ctx, `SELECT rid, due_ns, xmax::text FROM timers WHERE conversation_id = 5 ORDER BY rid`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		due  time.Time
		xmax string
	}
	got := map[int64]row{}
	for rows.Next() {
		var rid, due int64
		var xmax string
		if err := rows.Scan(&rid, &due, &xmax); err != nil {
			t.Fatal(err)
		}
		got[rid] = row{time.Unix(0, due).UTC(), xmax}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if r := got[1]; !r.due.Equal(early) || r.xmax != "0" {
		t.Errorf("the pending earlier timer: due %v, xmax %s; want %v untouched (xmax 0: never updated or locked)", r.due, r.xmax, early)
	}
	if r := got[2]; !r.due.Equal(early.Add(time.Minute)) {
		t.Errorf("the later timer: due %v, want moved earlier to %v", r.due, early.Add(time.Minute))
	}
	if r := got[3]; !r.due.Equal(early.Add(time.Minute)) {
		t.Errorf("the missing timer: due %v, want created at %v", r.due, early.Add(time.Minute))
	}
}
