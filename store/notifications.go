package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// Email statuses of a delivery (SPEC §7).
const (
	EmailNone     = "none"     // not due: the recipient is never emailed this message
	EmailPending  = "pending"  // the unseen timer is running
	EmailSkipped  = "skipped"  // seen in time, or not emailed for a reason in Detail
	EmailQueued   = "queued"   // handed to the outbound queue
	EmailSent     = "sent"     // the upstream accepted it
	EmailDeferred = "deferred" // a temporary failure; the queue retries
	EmailBounced  = "bounced"  // given up
)

// Recipient names who a notification is for.
type Recipient struct {
	Type  string `json:"type"` // KindUser or KindCustomer
	ID    uint64 `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// key is the 9-byte recipient key: 'u' or 'c', then the id.
func (r Recipient) key() []byte {
	k := make([]byte, 9)
	k[0] = 'u'
	if r.Type == KindCustomer {
		k[0] = 'c'
	}
	binary.BigEndian.PutUint64(k[1:], r.ID)
	return k
}

func recipientFromKey(k []byte) Recipient {
	r := Recipient{Type: KindUser, ID: binary.BigEndian.Uint64(k[1:9])}
	if k[0] == 'c' {
		r.Type = KindCustomer
	}
	return r
}

// Delivery is what happened to one message for one recipient: notified in
// the app, seen, emailed (GET /messages/{id}/deliveries).
type Delivery struct {
	MessageID      uint64     `json:"message_id"`
	ConversationID uint64     `json:"conversation_id"`
	Recipient      Recipient  `json:"recipient"`
	NotifiedAt     time.Time  `json:"notified_at"`
	SeenAt         *time.Time `json:"seen_at"`
	// EmailStatus is one of the Email* constants.
	EmailStatus string     `json:"email_status"`
	EmailedAt   *time.Time `json:"emailed_at"`
	// OutboundID is the queued email that carries this message (0: none).
	OutboundID uint64 `json:"outbound_id,omitempty"`
	Detail     string `json:"detail"`
}

func deliveryKey(msg uint64, r Recipient) []byte {
	return append(u64(msg), r.key()...)
}

func inboxKey(r Recipient, conv, msg uint64) []byte {
	k := append(r.key(), u64(conv)...)
	return append(k, u64(msg)...)
}

// PutDelivery stores d and indexes it in the recipient's inbox.
func (t *Tx) PutDelivery(d *Delivery) error {
	if err := putJSON(t.b(bDeliveries), deliveryKey(d.MessageID, d.Recipient), d); err != nil {
		return fmt.Errorf("put delivery: %w", err)
	}
	return t.b(bInbox).Put(inboxKey(d.Recipient, d.ConversationID, d.MessageID), nil)
}

// Delivery returns message msg's delivery to r, or ErrNotFound.
func (t *Tx) Delivery(msg uint64, r Recipient) (*Delivery, error) {
	var d Delivery
	ok, err := getJSON(t.b(bDeliveries), deliveryKey(msg, r), &d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &d, nil
}

// Deliveries returns every delivery of message msg.
func (t *Tx) Deliveries(msg uint64) ([]Delivery, error) {
	var out []Delivery
	prefix := u64(msg)
	c := t.b(bDeliveries).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var d Delivery
		if err := jsonUnmarshal(v, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// InboxQuery selects a recipient's notifications.
type InboxQuery struct {
	Conversation uint64 // 0: all conversations
	UpTo         uint64 // 0: no bound; else only messages with id <= UpTo
	After        uint64 // only messages with id > After
	UnseenOnly   bool
}

// Inbox returns r's deliveries matching q, ordered by conversation, then message.
func (t *Tx) Inbox(r Recipient, q InboxQuery) ([]Delivery, error) {
	prefix := r.key()
	if q.Conversation != 0 {
		prefix = append(prefix, u64(q.Conversation)...)
	}
	var out []Delivery
	c := t.b(bInbox).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		msg := decodeU64(k[17:25])
		if (q.UpTo != 0 && msg > q.UpTo) || msg <= q.After {
			continue
		}
		d, err := t.Delivery(msg, r)
		if err != nil {
			return nil, err
		}
		if q.UnseenOnly && d.SeenAt != nil {
			continue
		}
		out = append(out, *d)
	}
	return out, nil
}

// LinkEmail records that outbound email id carries delivery d.
func (t *Tx) LinkEmail(id uint64, d *Delivery) error {
	return t.b(bEmailDeliv).Put(append(u64(id), deliveryKey(d.MessageID, d.Recipient)...), nil)
}

// EmailDeliveries returns the deliveries outbound email id carries.
func (t *Tx) EmailDeliveries(id uint64) ([]Delivery, error) {
	var out []Delivery
	prefix := u64(id)
	c := t.b(bEmailDeliv).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		msg := decodeU64(k[8:16])
		d, err := t.Delivery(msg, recipientFromKey(k[16:25]))
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}
