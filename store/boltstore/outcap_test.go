package boltstore

import (
	"testing"
	"time"
)

// The outbound cap's ledger counts per address and conversation within a window,
// survives reopening, and prunes oldest first without touching newer entries.
func TestOutboundCapLedger(t *testing.T) {
	s, dir := openTemp(t)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
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
	s.Close()
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	check := func(addr string, conv uint64, since time.Time, want int) {
		t.Helper()
		_ = s2.view(func(tx *Tx) error {
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
	_ = s2.view(func(tx *Tx) error {
		if _, oldest := must2(tx.CountOutboundEmails("carol@example.com", 7, t0.Add(90*time.Second))); !oldest.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("oldest in window %s", oldest)
		}
		return nil
	})

	var pruned int
	err = s2.update(func(tx *Tx) error {
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
