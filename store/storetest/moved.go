package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Concurrent writers (group-committed on bbolt) lose nothing, and what
// they wrote survives reopening the store.
func testConcurrentWritersLoseNothing(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
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
	s2 := reopen()
	seen := map[uint64]bool{}
	err := view(s2, func(tx store.Tx) error {
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

func testMailLogListPageAndPrune(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
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
	_ = view(s, func(tx store.Tx) error {
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
		if err := update(s, func(tx store.Tx) error {
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
	_ = view(s, func(tx store.Tx) error {
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

func testTimersKeepTheEarliestPerPair(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u := store.Recipient{Type: store.KindUser, ID: 1}
	c := store.Recipient{Type: store.KindCustomer, ID: 1}
	_ = update(s, func(tx store.Tx) error {
		for _, step := range []struct {
			r    store.Recipient
			conv uint64
			due  time.Time
			want time.Time // the pair's due time afterwards
		}{
			{u, 7, t0.Add(time.Minute), t0.Add(time.Minute)},
			{u, 7, t0.Add(2 * time.Minute), t0.Add(time.Minute)},       // later: kept the earlier
			{u, 7, t0.Add(30 * time.Second), t0.Add(30 * time.Second)}, // earlier: replaces
			{c, 7, t0.Add(time.Minute), t0.Add(time.Minute)},           // same id, other kind: another pair
		} {
			if err := tx.SetTimer(step.r, step.conv, step.due); err != nil {
				t.Fatal(err)
			}
			if due, ok := must2(tx.TimerDue(step.r, step.conv)); !ok || !due.Equal(step.want) {
				t.Fatalf("SetTimer %+v: due %v %v", step, due, ok)
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

// The due index holds exactly the pending emails, at their NextAttempt;
// final emails lose their raw message and are the only ones pruned.
func testOutboundDueIndexFollowsState(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		for i := range 3 {
			id, err := tx.NewOutboundID()
			if err != nil {
				return err
			}
			o := &store.OutboundEmail{ID: id, State: store.OutboundQueued, MessageID: "m" + string(rune('a'+i)), NextAttempt: t0.Add(time.Duration(2-i) * time.Minute)}
			if err := tx.PutOutbound(o, []byte("raw")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if got := must(tx.DueOutbound(t0.Add(time.Minute), 10)); len(got) != 2 || got[0] != 3 || got[1] != 2 {
			t.Errorf("due at +1m: %v, want [3 2]", got)
		}
		if next, ok := must2(tx.NextOutbound()); !ok || !next.Equal(t0) {
			t.Errorf("next %v %v", next, ok)
		}
		if n := must(tx.OutboundPending()); n != 3 {
			t.Errorf("pending %d", n)
		}
		if o, err := tx.OutboundByMessageID("mb"); err != nil || o.ID != 2 {
			t.Errorf("by message-id: %v %v", o, err)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		o, err := tx.Outbound(3)
		if err != nil {
			return err
		}
		o.State, o.NextAttempt = store.OutboundDeferred, t0.Add(time.Hour) // moved, not duplicated
		if err := tx.PutOutbound(o, nil); err != nil {
			return err
		}
		o, _ = tx.Outbound(2)
		o.State, o.DoneAt = store.OutboundSent, t0
		return tx.PutOutbound(o, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if got := must(tx.DueOutbound(t0.Add(2*time.Minute), 10)); len(got) != 1 || got[0] != 1 {
			t.Errorf("due after changes: %v, want [1]", got)
		}
		if n := must(tx.OutboundPending()); n != 2 {
			t.Errorf("pending %d, want 2", n)
		}
		if _, err := tx.OutboundRaw(2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("raw of a sent email kept: %v", err)
		}
		if raw, err := tx.OutboundRaw(3); err != nil || string(raw) != "raw" {
			t.Errorf("raw of a deferred email: %q %v", raw, err)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		n, err := tx.PruneOutbound(t0.Add(time.Second), 10)
		if n != 1 {
			t.Errorf("pruned %d, want 1 (the sent one)", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if _, err := tx.Outbound(2); !errors.Is(err, store.ErrNotFound) {
			t.Error("sent email not pruned")
		}
		if _, err := tx.OutboundByMessageID("mb"); !errors.Is(err, store.ErrNotFound) {
			t.Error("message-id index of a pruned email kept")
		}
		for _, id := range []uint64{1, 3} {
			if _, err := tx.Outbound(id); err != nil {
				t.Errorf("pending email %d pruned: %v", id, err)
			}
		}
		return nil
	})
}

func testSetMailLogRawSkipsPrunedEntries(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	err := update(s, func(tx store.Tx) error {
		e := &store.MailLogEntry{Direction: store.DirOutbound, At: time.Now().Add(-time.Hour), Status: "queued"}
		if err := tx.AddMailLog(e, []byte("unsigned")); err != nil {
			return err
		}
		if err := tx.SetMailLogRaw(e.ID, []byte("signed!")); err != nil {
			return err
		}
		if raw, _ := tx.MailLogRaw(e.ID); string(raw) != "signed!" {
			t.Errorf("raw %q", raw)
		}
		if m, _ := tx.MailLog(e.ID); m.Size != 7 {
			t.Errorf("size %d", m.Size)
		}
		if _, err := tx.PruneMailLog(time.Now(), 10); err != nil {
			return err
		}
		if err := tx.SetMailLogRaw(e.ID, []byte("x")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetMailLogRaw on a pruned entry: %v", err)
		}
		if _, err := tx.MailLogRaw(e.ID); !errors.Is(err, store.ErrNotFound) {
			t.Error("SetMailLogRaw resurrected a pruned raw message")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The outbound cap's ledger counts per address and conversation within a window,
// survives reopening, and prunes oldest first without touching newer entries.
func testOutboundCapLedger(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.RecordOutboundEmail("Carol@Example.com", 7, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				return err
			}
		}
		// Same instant twice must count twice.
		if err := tx.RecordOutboundEmail("carol@example.com", 7, t0.Add(4*time.Minute)); err != nil {
			return err
		}
		if err := tx.RecordOutboundEmail("carol@example.com", 8, t0); err != nil {
			return err
		}
		return tx.RecordOutboundEmail("dave@example.com", 7, t0)
	})
	if err != nil {
		t.Fatal(err)
	}
	s2 := reopen()
	check := func(addr string, conv uint64, since time.Time, want int) {
		t.Helper()
		_ = view(s2, func(tx store.Tx) error {
			if n, _ := must2(tx.CountOutboundEmails(addr, conv, since)); n != want {
				t.Errorf("count %s/%d since %s = %d, want %d", addr, conv, since.Format(time.Kitchen), n, want)
			}
			return nil
		})
	}
	check("carol@example.com", 7, t0, 6)
	check("carol@example.com", 7, t0.Add(2*time.Minute), 4)
	check("carol@example.com", 8, t0, 1)
	check("dave@example.com", 7, t0, 1)
	check("erin@example.com", 7, t0, 0)
	_ = view(s2, func(tx store.Tx) error {
		if _, oldest := must2(tx.CountOutboundEmails("carol@example.com", 7, t0.Add(90*time.Second))); !oldest.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("oldest in window %s", oldest)
		}
		return nil
	})

	var pruned int
	err = update(s2, func(tx store.Tx) error {
		n, err := tx.PruneOutboundEmails(t0.Add(2*time.Minute), 2)
		if err != nil {
			return err
		}
		pruned += n
		n, err = tx.PruneOutboundEmails(t0.Add(2*time.Minute), 100)
		pruned += n
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Entries before t0+2m: carol/7 at 0m and 1m, carol/8 and dave/7 at 0m.
	if pruned != 4 {
		t.Fatalf("pruned %d, want 4", pruned)
	}
	check("carol@example.com", 7, time.Time{}, 4)
	check("carol@example.com", 8, time.Time{}, 0)
	check("dave@example.com", 7, time.Time{}, 0)
}
