package bridge

import (
	"context"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// maxNotifications bounds one notification list.
const maxNotifications = 500

func notificationOf(d store.Delivery) Notification {
	return Notification{
		MessageID: d.MessageID, ConversationID: d.ConversationID,
		At: d.NotifiedAt.UTC().Format(time.RFC3339Nano), Seen: d.SeenAt != nil, EmailStatus: d.EmailStatus,
	}
}

// Notifications returns the caller's notifications, newest first; with
// unseenOnly only those not seen yet; with after > 0 only those of messages
// newer than after (for event replay), oldest first.
func (s *Notifications) Notifications(ctx context.Context, c Caller, unseenOnly bool, after uint64) ([]Notification, error) {
	var ds []store.Delivery
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		q := store.InboxQuery{UnseenOnly: unseenOnly, After: after}
		if after == 0 {
			q.Last = maxNotifications // the newest of each conversation suffice
		}
		if ds, err = tx.Inbox(callerRecipient(c), q); err != nil {
			return err
		}
		ds, err = visibleDeliveries(tx, c, ds)
		return err
	})
	if err != nil {
		return nil, storeErr(err, "notifications")
	}
	slices.SortFunc(ds, func(a, b store.Delivery) int {
		if after > 0 {
			return compareU64(a.MessageID, b.MessageID)
		}
		return compareU64(b.MessageID, a.MessageID)
	})
	if len(ds) > maxNotifications {
		ds = ds[:maxNotifications]
	}
	out := make([]Notification, 0, len(ds))
	for _, d := range ds {
		out = append(out, notificationOf(d))
	}
	return out, nil
}

func compareU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// UnseenCount is the number of unseen notifications in one conversation.
type UnseenCount struct {
	ConversationID uint64 `json:"conversation_id"`
	Unseen         int    `json:"unseen"`
}

// UnseenCounts returns the caller's unseen notifications per conversation.
// The counts are kept by the store, so they are exact however many there
// are (the notification list stops at 500) and cost no scan.
func (s *Notifications) UnseenCounts(ctx context.Context, c Caller) ([]UnseenCount, error) {
	var counts map[uint64]int
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		if counts, err = tx.UnseenCounts(callerRecipient(c)); err != nil {
			return err
		}
		hide, err := newCustomerFilter(tx, c)
		if err != nil || !hide.on {
			return err
		}
		for conv := range counts {
			if h, err := hide.hidesID(conv); err != nil {
				return err
			} else if h {
				delete(counts, conv)
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "notifications")
	}
	out := make([]UnseenCount, 0, len(counts))
	for conv, n := range counts {
		out = append(out, UnseenCount{conv, n})
	}
	slices.SortFunc(out, func(a, b UnseenCount) int { return compareU64(a.ConversationID, b.ConversationID) })
	return out, nil
}

// DeliveryView is one recipient's state of one message (SPEC §7), as the
// API shows it: its own fields, filled by DeliveryOf, so that the stored
// store.Delivery can change without changing the API's JSON.
type DeliveryView struct {
	Recipient   RecipientView `json:"recipient"`
	NotifiedAt  time.Time     `json:"notified_at"`
	SeenAt      *time.Time    `json:"seen_at"`
	EmailStatus string        `json:"email_status"`
	EmailedAt   *time.Time    `json:"emailed_at"`
	Detail      string        `json:"detail"`
}

// RecipientView names who a delivery is for, as the API shows it.
type RecipientView struct {
	Type  string `json:"type"` // "user" or "customer"
	ID    uint64 `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// DeliveryOf is the view of a stored delivery.
func DeliveryOf(d *store.Delivery) DeliveryView {
	return DeliveryView{Recipient: RecipientView{Type: d.Recipient.Type, ID: d.Recipient.ID, Email: d.Recipient.Email,
		Name: d.Recipient.Name}, NotifiedAt: d.NotifiedAt, SeenAt: d.SeenAt, EmailStatus: d.EmailStatus,
		EmailedAt: d.EmailedAt, Detail: d.Detail}
}

// Deliveries returns, for every recipient of message id, when it was
// notified, seen and emailed. Staff who may see the conversation may ask.
func (s *Notifications) Deliveries(ctx context.Context, c Caller, id uint64) ([]DeliveryView, error) {
	if !c.IsStaff() {
		return nil, notFound("message", id)
	}
	var ds []store.Delivery
	err := s.st.View(ctx, func(tx store.Tx) error {
		m, err := tx.Message(id)
		if err != nil {
			return notFound("message", id)
		}
		if _, err := viewConversation(tx, c, m.ConversationID); err != nil {
			return notFound("message", id)
		}
		if ds, err = tx.Deliveries(id); err != nil {
			return err
		}
		for i := range ds {
			if ds[i].Recipient.Email == "" { // users are stored by id only
				if r, err := currentRecipient(tx, ds[i].Recipient); err == nil {
					ds[i].Recipient = r
				}
			}
		}
		return nil
	})
	out := make([]DeliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, DeliveryOf(&d))
	}
	return out, storeErr(err, "message")
}
