package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// Announcer tells the other nodes of an installation (SPEC §8) that
// messages were committed, so that their event streams show them too: on
// PostgreSQL a NOTIFY, a wake-up that names the messages, whose
// notifications each node re-reads from the tables (PublishMessages).
type Announcer interface {
	Announce(ctx context.Context, messageIDs []uint64)
}

// SetAnnouncer plugs in how other nodes hear of new messages. Call it
// before the Service is shared.
func (s *Notifications) SetAnnouncer(a Announcer) { s.announcer = a }

// PublishMessages shows the notifications of messages another node
// committed to this node's event streams: they are read from the store,
// not taken from the announcement.
func (s *Notifications) PublishMessages(ctx context.Context, messageIDs []uint64) error {
	var ds []store.Delivery
	err := s.st.View(ctx, func(tx store.Tx) error {
		ds = ds[:0]
		for _, id := range messageIDs {
			got, err := tx.Deliveries(id)
			if err != nil {
				return err
			}
			ds = append(ds, got...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		s.hub.publish(d)
	}
	return nil
}
