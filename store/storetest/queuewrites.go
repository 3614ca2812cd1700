package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testQueueWritesReadBack: a transaction reads back what it wrote to the
// queue and the mail log, however the backend sends the writes (PostgreSQL
// keeps them and sends them as one multi-row statement later): an email
// written twice keeps the raw message the first write carried, a final one
// loses it, a mail log entry changed twice has both changes; a due email
// read in a batch and then finished reads as finished.
func testQueueWritesReadBack(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var id, other, logID uint64
	err := update(s, func(tx store.Tx) error {
		var err error
		if id, err = tx.NewOutboundID(); err != nil {
			return err
		}
		if other, err = tx.NewOutboundID(); err != nil {
			return err
		}
		e := &store.MailLogEntry{Direction: store.DirOutbound, At: t0, To: "a@example.com", Status: store.EmailQueued}
		if err := tx.AddMailLog(e, []byte("first raw")); err != nil {
			return err
		}
		logID = e.ID
		if err := tx.SetMailLogStatus(logID, store.EmailSent, "accepted", 0, 0); err != nil {
			return err
		}
		if err := tx.SetMailLogRaw(logID, []byte("signed raw")); err != nil {
			return err
		}
		if got := must(tx.MailLog(logID)); got.Status != store.EmailSent || got.Size != len("signed raw") {
			t.Errorf("mail log entry in its transaction: %+v", got)
		}
		for _, i := range []uint64{id, other} {
			o := &store.OutboundEmail{ID: i, State: store.OutboundQueued, MailLogID: logID, NextAttempt: t0}
			if err := tx.PutOutbound(o, []byte("raw")); err != nil {
				return err
			}
			o.Attempts = 1
			if err := tx.PutOutbound(o, nil); err != nil { // nil: keep the raw message
				return err
			}
		}
		if raw := must(tx.OutboundRaw(id)); string(raw) != "raw" {
			t.Errorf("raw in its transaction: %q", raw)
		}
		if o := must(tx.Outbound(id)); o.Attempts != 1 {
			t.Errorf("attempts in its transaction: %d", o.Attempts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = update(s, func(tx store.Tx) error {
		due := must(tx.DueOutbound(t0, 10))
		if len(due) != 2 {
			t.Errorf("due: %v", due)
		}
		o := must(tx.Outbound(id))
		if o.Attempts != 1 {
			t.Errorf("attempts: %d", o.Attempts)
		}
		o.State, o.DoneAt = store.OutboundSent, t0
		if err := tx.PutOutbound(o, nil); err != nil {
			return err
		}
		if got := must(tx.Outbound(id)); got.State != store.OutboundSent {
			t.Errorf("state after the write: %q", got.State)
		}
		if _, err := tx.OutboundRaw(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("raw of a sent email: %v, want ErrNotFound", err)
		}
		return tx.SetMailLogStatus(logID, store.EmailSent, "accepted again", 0, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if n := must(tx.OutboundPending()); n != 1 {
			t.Errorf("pending %d, want 1", n)
		}
		if raw := must(tx.OutboundRaw(other)); !bytes.Equal(raw, []byte("raw")) {
			t.Errorf("raw kept: %q", raw)
		}
		if _, err := tx.OutboundRaw(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("raw of a sent email after commit: %v", err)
		}
		e := must(tx.MailLog(logID))
		if e.Status != store.EmailSent || e.Detail != "accepted again" {
			t.Errorf("mail log entry: %+v", e)
		}
		if raw := must(tx.MailLogRaw(logID)); string(raw) != "signed raw" {
			t.Errorf("mail log raw: %q", raw)
		}
		return nil
	})
}
