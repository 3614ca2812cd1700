package boltstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestSchemaVersionIsChecked(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("schema"), []byte("99")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir); err == nil {
		t.Fatal("opened a store of an unknown schema version")
	}
}

// Concurrent Batch writers share commits and lose nothing.
func TestBatchGroupCommitLosesNothing(t *testing.T) {
	s, dir := openTemp(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Update(context.Background(), func(tx store.Tx) error {
				return tx.CreateCustomer(&store.Customer{Email: fmt.Sprintf("c%d@example.com", i)})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	seen := map[uint64]bool{}
	err = s2.view(func(tx *Tx) error {
		for i := range n {
			c, err := tx.CustomerByEmail(fmt.Sprintf("C%d@example.com", i))
			if err != nil {
				return err
			}
			if seen[c.ID] {
				return fmt.Errorf("id %d twice", c.ID)
			}
			seen[c.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMailLogListPageAndPrune(t *testing.T) {
	s, _ := openTemp(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
		for i := range 10 {
			dir := store.DirInbound
			if i%2 == 1 {
				dir = store.DirOutbound
			}
			e := &store.MailLogEntry{Direction: dir, At: base.Add(time.Duration(i) * time.Hour), Subject: fmt.Sprint(i), Status: "x"}
			if err := tx.AddMailLog(e, []byte("raw "+fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.view(func(tx *Tx) error {
		in, _ := tx.ListMailLog(store.MailLogQuery{Direction: store.DirInbound})
		if len(in) != 5 || in[0].Subject != "8" || in[4].Subject != "0" {
			t.Fatalf("inbound newest first: %+v", in)
		}
		page, _ := tx.ListMailLog(store.MailLogQuery{Limit: 3, BeforeID: in[0].ID})
		if len(page) != 3 || page[0].Subject != "7" {
			t.Fatalf("page before %d: %+v", in[0].ID, page)
		}
		return nil
	})
	// Prune everything older than 5h, in chunks of 2.
	total := 0
	for {
		var n int
		if err := s.update(func(tx *Tx) error {
			var err error
			n, err = tx.PruneMailLog(base.Add(5*time.Hour), 2)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 2 {
			break
		}
	}
	if total != 5 {
		t.Fatalf("pruned %d, want 5", total)
	}
	_ = s.view(func(tx *Tx) error {
		all, _ := tx.ListMailLog(store.MailLogQuery{})
		if len(all) != 5 || all[len(all)-1].Subject != "5" {
			t.Fatalf("after prune: %+v", all)
		}
		if _, err := tx.MailLogRaw(1); err == nil {
			t.Fatal("raw of a pruned entry still there")
		}
		if raw, err := tx.MailLogRaw(all[0].ID); err != nil || string(raw) != "raw 9" {
			t.Fatalf("raw kept: %q %v", raw, err)
		}
		return nil
	})
}

func TestTimersKeepTheEarliestPerPair(t *testing.T) {
	s, _ := openTemp(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := store.Recipient{Type: store.KindUser, ID: 1}
	c := store.Recipient{Type: store.KindCustomer, ID: 1}
	_ = s.update(func(tx *Tx) error {
		for _, step := range []struct {
			r       store.Recipient
			conv    uint64
			due     time.Time
			changed bool
		}{
			{u, 7, t0.Add(time.Minute), true},
			{u, 7, t0.Add(2 * time.Minute), false}, // later: kept the earlier
			{u, 7, t0.Add(30 * time.Second), true}, // earlier: replaces
			{c, 7, t0.Add(time.Minute), true},      // same id, other kind: another pair
		} {
			changed, err := tx.SetTimer(step.r, step.conv, step.due)
			if err != nil || changed != step.changed {
				t.Fatalf("SetTimer %+v: changed=%v err=%v", step, changed, err)
			}
		}
		if n := must(tx.TimerCount()); n != 2 {
			t.Fatalf("%d timers", n)
		}
		due := must(tx.DueTimers(t0.Add(45*time.Second), 10))
		if len(due) != 1 || due[0].Recipient != u || due[0].Conversation != 7 {
			t.Fatalf("due at 45s: %+v", due)
		}
		if next, ok := must2(tx.NextTimer()); !ok || !next.Equal(t0.Add(30*time.Second)) {
			t.Fatalf("next %v", next)
		}
		if err := tx.DeleteTimer(u, 7); err != nil {
			t.Fatal(err)
		}
		if due := must(tx.DueTimers(t0.Add(time.Hour), 10)); len(due) != 1 || due[0].Recipient != c {
			t.Fatalf("after delete: %+v", due)
		}
		return nil
	})
}

// view runs fn in a read-only transaction on the concrete Tx.
func (s *Store) view(fn func(*Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// must returns v, failing the test (by panic) on a read error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// must2 is must for reads that return two values and an error.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
