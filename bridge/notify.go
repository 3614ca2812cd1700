package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// notifyTx records, in the posting transaction, a notification for every
// recipient of m (SPEC §4) and starts (or keeps) each recipient's unseen
// timer for the conversation. It returns the new deliveries so the caller
// can publish them once the transaction has committed.
func (s *Notifications) notifyTx(ctx context.Context, tx deliveryTx, conv *store.Conversation, m *store.Message, origin *mailOrigin) ([]store.Delivery, error) {
	// Writing in a conversation means having read it: the author's earlier
	// notifications there are seen.
	if author, ok := authorRecipient(m.Author); ok {
		if _, err := s.markSeenTx(tx, author, conv.ID, m.ID-1); err != nil {
			return nil, err
		}
	}
	rs, err := recipients(tx, conv, m, origin)
	if err != nil {
		return nil, err
	}
	out := make([]store.Delivery, 0, len(rs))
	due := m.CreatedAt.Add(s.cfg.UnseenDelay)
	for _, r := range rs {
		d := store.Delivery{
			MessageID: m.ID, ConversationID: conv.ID, Recipient: r,
			NotifiedAt: m.CreatedAt, EmailStatus: store.EmailPending,
		}
		if err := tx.AddDelivery(&d); err != nil { // m is new: no delivery of it yet
			return nil, err
		}
		if err := tx.SetTimer(r, conv.ID, due); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// authorRecipient is the recipient identity of an author (not the bot).
func authorRecipient(a store.Author) (store.Recipient, bool) {
	switch a.Type {
	case store.AuthorUser:
		return store.Recipient{Type: store.KindUser, ID: a.ID, Email: a.Email}, true
	case store.AuthorCustomer:
		return store.Recipient{Type: store.KindCustomer, ID: a.ID, Email: a.Email}, true
	}
	return store.Recipient{}, false
}

// afterCommit runs once a message's transaction has committed: it publishes
// the new notifications to live event streams and, when one of their
// timers may fall due before the loop's next look (it looks at least every
// pollEvery), wakes the timer loop.
func (s *Notifications) afterCommit(ds []store.Delivery) {
	var msgs []uint64
	for _, d := range ds {
		s.hub.publish(d)
		if len(msgs) == 0 || msgs[len(msgs)-1] != d.MessageID {
			msgs = append(msgs, d.MessageID)
		}
	}
	if a := s.announcer; a != nil && len(msgs) > 0 {
		go a.Announce(context.Background(), msgs)
	}
	if len(ds) > 0 && s.cfg.UnseenDelay < pollEvery {
		s.wakeTimers()
	}
}
