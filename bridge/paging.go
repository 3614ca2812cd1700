package bridge

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// ConversationCursor continues the conversation list (SPEC §14 paging).
// The list is ordered by activity, newest first, and activity changes
// while a client pages; so the cursor carries AsOf, when the first page
// was read, and every page orders conversations by their activity as of
// then: a conversation created later is not in this listing (the next
// first page shows it), one that got a message later keeps its place.
// Following the cursor thus never repeats or skips a conversation.
type ConversationCursor struct {
	AsOf int64  // unix ns of the first page
	At   int64  // activity (unix ns, as of AsOf) of the last conversation given
	ID   uint64 // its id (ties are ordered by id, ascending)
}

// String is the cursor's payload.
func (c ConversationCursor) String() string { return fmt.Sprintf("%d.%d.%d", c.AsOf, c.At, c.ID) }

// ParseConversationCursor reads String's form.
func ParseConversationCursor(s string) (ConversationCursor, error) {
	var c ConversationCursor
	if n, err := fmt.Sscanf(s, "%d.%d.%d", &c.AsOf, &c.At, &c.ID); err != nil || n != 3 || c.String() != s {
		return c, errorf(KindInvalid, "cursor: not a cursor of this list")
	}
	return c, nil
}

// activityAsOf is a conversation's activity (its newest message, else its
// creation) as it was at asOf: the newest message created by then.
func activityAsOf(tx store.MessagesTx, conv *store.Conversation, asOf int64) (int64, error) {
	at := activity(*conv).UnixNano()
	if at <= asOf {
		return at, nil
	}
	ids, err := tx.MessageIDs(conv.ID)
	if err != nil {
		return 0, err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		m, err := tx.Message(ids[i])
		if err != nil {
			return 0, err
		}
		if t := m.CreatedAt.UnixNano(); t <= asOf {
			return t, nil
		}
	}
	return conv.CreatedAt.UnixNano(), nil
}

// NotificationsPage returns up to limit of the caller's notifications,
// newest first, of messages older than before (0: from the newest), and
// whether more follow.
func (s *Notifications) NotificationsPage(ctx context.Context, c Caller, unseenOnly bool, before uint64, limit int) ([]Notification, bool, error) {
	var ds []store.Delivery
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if ds, err = tx.Inbox(callerRecipient(c), store.InboxQuery{UnseenOnly: unseenOnly}); err != nil {
			return err
		}
		ds, err = visibleDeliveries(tx, c, ds)
		return err
	})
	if err != nil {
		return nil, false, storeErr(err, "notifications")
	}
	ds = slices.DeleteFunc(ds, func(d store.Delivery) bool { return before != 0 && d.MessageID >= before })
	slices.SortFunc(ds, func(a, b store.Delivery) int { return compareU64(b.MessageID, a.MessageID) })
	more := len(ds) > limit
	if more {
		ds = ds[:limit]
	}
	out := make([]Notification, 0, len(ds))
	for _, d := range ds {
		out = append(out, notificationOf(d))
	}
	return out, more, nil
}
