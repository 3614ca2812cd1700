package boltstore

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// recount is the mail log's space counted from the buckets.
func recount(t *testing.T, st *Store) (counted, kept int64) {
	t.Helper()
	_ = st.update(func(tx *Tx) error {
		kept = tx.MailLogBytes()
		if err := tx.b(bMeta).Delete(keyMailLogBytes); err != nil {
			t.Fatal(err)
		}
		if err := tx.countMailLogBytes(); err != nil {
			t.Fatal(err)
		}
		counted = tx.MailLogBytes()
		return nil
	})
	return counted, kept
}

// With a limit the mail log never takes (much) more than it: the oldest
// entries go first and each eviction is reported after its commit. The
// counter stays equal to a recount through adds, status and raw changes
// and pruning.
func TestMailLogSpaceIsBounded(t *testing.T) {
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var evicted atomic.Int64
	const limit = 200_000
	st.SetMailLogLimit(limit, func(n int) { evicted.Add(int64(n)) })
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	raw := bytes.Repeat([]byte("r"), 3000)
	var first, last uint64
	for i := 0; i < 500; i++ {
		e := store.MailLogEntry{Direction: store.DirInbound, At: t0.Add(time.Duration(i) * time.Second), Status: "rejected", Detail: "RCPT TO <x@support.test>: 550 5.1.1 no such user"}
		if err := st.update(func(tx *Tx) error {
			r := raw
			if i%2 == 0 {
				r = nil
			}
			if err := tx.AddMailLog(&e, r); err != nil {
				return err
			}
			if i%3 == 0 {
				if err := tx.SetMailLogStatus(e.ID, "bounce", "a much longer detail than the one before it, to change the size", 0, 0); err != nil {
					return err
				}
			}
			if i%5 == 0 {
				return tx.SetMailLogRaw(e.ID, raw[:100])
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = e.ID
		}
		last = e.ID
		var used int64
		_ = st.view(func(tx *Tx) error { used = tx.MailLogBytes(); return nil })
		if used > limit {
			t.Fatalf("after %d entries the mail log takes %d bytes, limit %d", i+1, used, limit)
		}
	}
	if counted, kept := recount(t, st); counted != kept {
		t.Fatalf("counter %d, recount %d", kept, counted)
	}
	var es []store.MailLogEntry
	_ = st.view(func(tx *Tx) error {
		es, err = tx.ListMailLog(store.MailLogQuery{Limit: 1000})
		return err
	})
	if len(es) == 0 || len(es) >= 500 || es[0].ID != last || es[len(es)-1].ID == first {
		t.Fatalf("%d entries kept, newest %d, oldest %d", len(es), es[0].ID, es[len(es)-1].ID)
	}
	if got := evicted.Load(); got != int64(500-len(es)) {
		t.Fatalf("evictions reported %d, entries gone %d", got, 500-len(es))
	}
	// Pruning keeps the counter right too.
	if err := st.update(func(tx *Tx) error { _, err := tx.PruneMailLog(t0.Add(450*time.Second), 1000); return err }); err != nil {
		t.Fatal(err)
	}
	if counted, kept := recount(t, st); counted != kept || kept == 0 {
		t.Fatalf("after pruning: counter %d, recount %d", kept, counted)
	}
}
