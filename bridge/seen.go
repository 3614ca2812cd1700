package bridge

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/store"
)

// callerRecipient is the recipient identity of an API caller.
func callerRecipient(c Caller) store.Recipient {
	return store.Recipient{Type: c.Kind, ID: c.ID}
}

// MarkSeen marks message id and every earlier message of its conversation
// seen by the caller; emails still pending for them are cancelled (SPEC §4).
func (s *Notifications) MarkSeen(ctx context.Context, c Caller, id uint64) error {
	// Shares commits with concurrent posts; fn only reads and marks, so
	// running it twice is harmless.
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error {
		m, err := tx.Message(id)
		if err != nil {
			return notFound("message", id)
		}
		if _, err := viewConversation(tx, c, m.ConversationID); err != nil {
			return notFound("message", id)
		}
		_, err = s.markSeenTx(tx, callerRecipient(c), m.ConversationID, id)
		return err
	}), "message")
}

// markSeenTx marks r's notifications in conv up to message upTo seen, turns
// pending emails into skipped and moves or removes r's timer for conv. It
// returns how many notifications it marked. When r has nothing unseen there
// (an author writing again) it reads nothing but one small record.
func (s *Notifications) markSeenTx(tx seenTx, r store.Recipient, conv, upTo uint64) (int, error) {
	if upTo == 0 {
		return 0, nil
	}
	if n, err := tx.UnseenCount(r, conv); err != nil || n == 0 {
		return 0, err
	}
	now := s.clock.Now()
	ds, err := tx.SeeUpTo(r, conv, upTo, func(d *store.Delivery) {
		d.SeenAt = &now
		if d.EmailStatus == store.EmailPending {
			d.EmailStatus = store.EmailSkipped
			d.Detail = "seen at " + now.Format(time.RFC3339) + ", before the email was due"
		}
	})
	if err != nil {
		return 0, err
	}
	if len(ds) > 0 {
		if err := s.rescheduleTx(tx, r, conv); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

// rescheduleTx sets r's timer for conv to the due time of the earliest
// notification still pending, or removes it when none is.
func (s *Notifications) rescheduleTx(tx seenTx, r store.Recipient, conv uint64) error {
	pending, err := pendingOf(tx, r, conv)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return tx.DeleteTimer(r, conv)
	}
	return tx.ReplaceTimer(r, conv, pending[0].NotifiedAt.Add(s.cfg.UnseenDelay))
}

// pendingOf returns r's notifications in conv whose email is still pending,
// oldest first.
func pendingOf(tx store.NotificationsTx, r store.Recipient, conv uint64) ([]store.Delivery, error) {
	ds, err := tx.Inbox(r, store.InboxQuery{Conversation: conv, UnseenOnly: true})
	if err != nil {
		return nil, err
	}
	out := ds[:0]
	for _, d := range ds {
		if d.EmailStatus == store.EmailPending {
			out = append(out, d)
		}
	}
	return out, nil
}
