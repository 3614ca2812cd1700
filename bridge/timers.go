package bridge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// fireBatch bounds how many timers one pass reads.
const fireBatch = 256

// wakeTimers tells the timer loop that a timer may have been added.
func (s *Service) wakeTimers() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunTimers fires unseen-email timers when they fall due, until ctx ends.
// Timers live in the store, so an overdue one (after a restart) fires at
// once.
func (s *Service) RunTimers(ctx context.Context) error {
	for {
		if err := s.FireDue(ctx); err != nil {
			s.log.Error("firing timers", "err", err)
		}
		wait := time.Second // poll at least this often, and retry after errors
		var next time.Time
		var ok bool
		_ = s.st.View(func(tx *store.Tx) error { next, ok = tx.NextTimer(); return nil })
		if ok {
			if d := next.Sub(s.clock.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// FireDue fires every timer due now and returns when none is left.
func (s *Service) FireDue(ctx context.Context) error {
	for {
		now := s.clock.Now()
		var due []store.Timer
		if err := s.st.View(func(tx *store.Tx) error { due = tx.DueTimers(now, fireBatch); return nil }); err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		for _, t := range due {
			if err := s.fire(ctx, t, now); err != nil {
				return fmt.Errorf("fire timer %s %d conv %d: %w", t.Recipient.Type, t.Recipient.ID, t.Conversation, err)
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// fire emails recipient t.Recipient the messages of t.Conversation that are
// due and still unseen, as one email, and reschedules for the rest. The
// email is queued in the same transaction that removes the timer, so a
// crash can neither lose it nor queue it twice.
func (s *Service) fire(_ context.Context, t store.Timer, now time.Time) error {
	enqueued := false
	err := s.st.Update(func(tx *store.Tx) error {
		if cur, ok := tx.TimerDue(t.Recipient, t.Conversation); !ok || cur.After(now) {
			return nil // seen or moved since it was read
		}
		pending, err := pendingOf(tx, t.Recipient, t.Conversation)
		if err != nil {
			return err
		}
		var dueNow []store.Delivery
		for _, d := range pending {
			if !d.NotifiedAt.Add(s.cfg.UnseenDelay).After(now) {
				dueNow = append(dueNow, d)
			}
		}
		if len(dueNow) > 0 {
			if enqueued, err = s.emailTx(tx, t, dueNow, now); err != nil {
				return err
			}
		}
		return s.rescheduleTx(tx, t.Recipient, t.Conversation)
	})
	if err == nil && enqueued && s.outbox != nil {
		s.outbox.Kick()
	}
	return err
}

// emailTx hands one email of ds (due, unseen, one conversation, one
// recipient) to the outbox and records it on each delivery. It reports
// whether it queued anything.
func (s *Service) emailTx(tx *store.Tx, t store.Timer, ds []store.Delivery, now time.Time) (bool, error) {
	status, detail := store.EmailQueued, ""
	var id uint64
	e, err := s.buildEmail(tx, t, ds)
	switch {
	case err != nil:
		return false, err
	case s.outbox == nil:
		status, detail = store.EmailSkipped, "no outbound mail configured"
	default:
		if reason := s.suppressed(tx, e, now); reason != "" {
			status, detail = store.EmailSkipped, reason
			break
		}
		if id, err = s.outbox.Enqueue(tx, e); err != nil {
			return false, fmt.Errorf("enqueue: %w", err)
		}
		if err := tx.PutMessageRef(e.MessageID, store.MessageRef{ConversationID: t.Conversation, Sender: e.Recipient.Email}); err != nil {
			return false, err
		}
		if err := s.recordSent(tx, e, now); err != nil {
			return false, err
		}
	}
	for i := range ds {
		d := &ds[i]
		d.EmailStatus, d.Detail = status, detail
		if id != 0 {
			d.OutboundID, d.EmailedAt = id, &now
			if err := tx.LinkEmail(id, d); err != nil {
				return false, err
			}
		}
		if err := tx.PutDelivery(d); err != nil {
			return false, err
		}
	}
	return id != 0, nil
}

// buildEmail gathers what the email of ds says: the recipient as it is now,
// the conversation, the messages, threading headers and the reply address.
func (s *Service) buildEmail(tx *store.Tx, t store.Timer, ds []store.Delivery) (*Email, error) {
	conv, err := tx.Conversation(t.Conversation)
	if err != nil {
		return nil, err
	}
	r, err := currentRecipient(tx, t.Recipient)
	if err != nil {
		return nil, err
	}
	e := &Email{Recipient: r, Conversation: *conv, MessageID: s.newMessageID()}
	var names []string
	for _, d := range ds {
		m, err := tx.Message(d.MessageID)
		if err != nil {
			return nil, err
		}
		e.Messages = append(e.Messages, *m)
		if !containsString(names, m.Author.Name) && m.Author.Name != "" {
			names = append(names, m.Author.Name)
		}
	}
	e.FromName = strings.Join(names, ", ")
	e.References = s.threadRefs(tx, conv)
	if n := len(e.References); n > 0 {
		e.InReplyTo = e.References[n-1]
	}
	e.ReplyTo = s.ReplyAddress(conv.ID, r)
	return e, nil
}

// currentRecipient reloads a recipient's address and name.
func currentRecipient(tx *store.Tx, r store.Recipient) (store.Recipient, error) {
	if r.Type == store.KindCustomer {
		c, err := tx.Customer(r.ID)
		if err != nil {
			return r, err
		}
		return store.Recipient{Type: r.Type, ID: c.ID, Email: c.Email, Name: c.Name}, nil
	}
	u, err := tx.User(r.ID)
	if err != nil {
		return r, err
	}
	return store.Recipient{Type: r.Type, ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
