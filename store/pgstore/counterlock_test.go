package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestBuiltinRunsCounterDoesNotHoldBackTheWrites: two firing batches add
// to the notification rule's run count last. The second's writes (its
// timers, deliveries, mail log entries) run while the first holds the
// counter's row; only the count itself waits. Before, the writes rode in
// front of the counter's upsert as WITH clauses, which PostgreSQL runs
// after the upsert: every batch's writes waited for the batch before it
// to commit.
func TestBuiltinRunsCounterDoesNotHoldBackTheWrites(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	due := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	r1, r2 := store.Recipient{Type: store.KindUser, ID: 1}, store.Recipient{Type: store.KindUser, ID: 2}
	if err := a.Update(ctx, func(tx store.Tx) error {
		if err := tx.SetTimer(r1, 1, due); err != nil {
			return err
		}
		return tx.SetTimer(r2, 2, due)
	}); err != nil {
		t.Fatal(err)
	}
	held, release, first, second := make(chan struct{}), make(chan struct{}), make(chan error, 1), make(chan error, 1)
	go func() {
		first <- a.Update(ctx, func(tx store.Tx) error {
			if err := tx.ReplaceTimer(r1, 1, due.Add(time.Hour)); err != nil {
				return err
			}
			if err := tx.AddBuiltinRuns(1, 1); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	go func() {
		second <- b.Update(ctx, func(tx store.Tx) error {
			if err := tx.ReplaceTimer(r2, 2, due.Add(time.Hour)); err != nil {
				return err
			}
			return tx.AddBuiltinRuns(1, 1)
		})
	}()
	// The second's timer write has run when its row is locked.
	written := false
	for deadline := time.Now().Add(15 * time.Second); !written && time.Now().Before(deadline); {
		tx, err := a.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, `SELECT due_ns FROM timers WHERE conversation_id = 2 AND rtype = 'u' AND rid = 2 FOR UPDATE NOWAIT`)
		_ = tx.Rollback(ctx)
		var pe *pgconn.PgError
		switch {
		case errors.As(err, &pe) && pe.Code == "55P03": // lock_not_available
			written = true
		case err != nil:
			t.Fatal(err)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	select {
	case err := <-second:
		t.Fatalf("the second batch committed (%v) while the first held the counter", err)
	default:
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if !written {
		t.Fatal("the second batch's writes waited for the first batch's commit: the counter's row lock held them back")
	}
	var runs uint64
	if err := a.View(ctx, func(tx store.Tx) (err error) { runs, err = tx.BuiltinRuns(1); return err }); err != nil || runs != 2 {
		t.Fatalf("run count %d (%v), want 2", runs, err)
	}
}
