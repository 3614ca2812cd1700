package boltstore

import (
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// The due index holds exactly the pending emails, at their NextAttempt;
// final emails lose their raw message and are the only ones pruned.
func TestOutboundDueIndexFollowsState(t *testing.T) {
	s, _ := openTemp(t)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
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
	_ = s.view(func(tx *Tx) error {
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
	err = s.update(func(tx *Tx) error {
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
	_ = s.view(func(tx *Tx) error {
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
	err = s.update(func(tx *Tx) error {
		n, err := tx.PruneOutbound(t0.Add(time.Second), 10)
		if n != 1 {
			t.Errorf("pruned %d, want 1 (the sent one)", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.view(func(tx *Tx) error {
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

func TestSetMailLogRawSkipsPrunedEntries(t *testing.T) {
	s, _ := openTemp(t)
	err := s.update(func(tx *Tx) error {
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
