package bridge

import (
	"context"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// ItemUpdate changes an item (PUT /items/{id}); nil fields are kept.
type ItemUpdate struct {
	Status *string
	Title  *string
}

// UpdateItem changes an item's status or title. A changed status queues
// item.status_changed (with from and to) for the automations, in its transaction.
func (s *Conversations) UpdateItem(ctx context.Context, c Caller, id uint64, in ItemUpdate) (*store.Item, error) {
	if in.Status != nil && !statusRE.MatchString(*in.Status) {
		return nil, errorf(KindInvalid, "status: a lower-case word of at most 32 characters, e.g. open or closed")
	}
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if t == "" {
			return nil, errorf(KindInvalid, "title: must not be empty")
		}
		in.Title = &t
	}
	var it *store.Item
	var from string
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if it, err = viewItem(tx, c, id); err != nil {
			return err
		}
		from = itemStatus(it)
		it.Status = from
		if in.Status != nil {
			it.Status = *in.Status
		}
		if in.Title != nil {
			it.Title = *in.Title
		}
		if err := tx.PutItem(it); err != nil {
			return err
		}
		if it.Status == from {
			return nil
		}
		return s.msgs.queueEvent(tx, Event{Name: EventItemStatusChanged, ItemID: it.ID, From: from, To: it.Status})
	})
	if err != nil {
		return nil, storeErr(err, "item")
	}
	s.msgs.kickAutomations()
	return it, nil
}
