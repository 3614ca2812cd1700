// Package events records deskgate's domain events (SPEC §14) in the
// outbox, in the transaction of the change they describe: Record wraps a
// store so that creating a message, a conversation or an item, changing an
// item's status or assignees, logging an inbound mail, a delivery's email
// state or seen mark and a mailbox's state each add their event, whatever
// part of deskgate (API, SMTP, IMAP, queue, timers) made the change. An
// event is queued only for consumers that want it (an enabled webhook
// subscribed to its type), read in the same transaction, so an installation
// without webhooks pays one small read per changing transaction and
// nothing more.
package events

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Event types (SPEC §14).
const (
	MessageCreated       = "message.created"
	ConversationCreated  = "conversation.created"
	ItemCreated          = "item.created"
	ItemStatusChanged    = "item.status_changed"
	ItemAssigneesChanged = "item.assignees_changed"
	DeliveryUpdated      = "delivery.updated"
	MailLogInbound       = "maillog.inbound"
	MailboxStatusChanged = "mailbox.status_changed"
)

// Types lists every event type, in the catalogue's order.
var Types = []string{MessageCreated, ConversationCreated, ItemCreated, ItemStatusChanged, ItemAssigneesChanged,
	DeliveryUpdated, MailLogInbound, MailboxStatusChanged}

// Store is a store whose write transactions record events.
type Store struct {
	store.Store
	now    func() time.Time
	notify func()
}

// SetNotify sets a function called after a transaction that recorded an
// event commits (it wakes this node's dispatcher). Call it before the
// store is shared.
func (s *Store) SetNotify(f func()) { s.notify = f }

// Record wraps st; now stamps the events (nil: time.Now).
func Record(st store.Store, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{Store: st, now: now}
}

// ParallelWrites passes on the wrapped store's store.ParallelWriter (1
// when it has none), so the timer loop fires side by side beneath the
// wrapper as it would without it.
func (s *Store) ParallelWrites() int {
	if p, ok := s.Store.(store.ParallelWriter); ok {
		return p.ParallelWrites()
	}
	return 1
}

// Update runs fn with a transaction that records events.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	added := false
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		t := &Tx{Tx: tx, now: s.now}
		err := fn(t)
		added = t.added
		return err
	})
	if err == nil && added && s.notify != nil {
		s.notify()
	}
	return err
}

// Tx records the events of the changes made through it.
type Tx struct {
	store.Tx
	now    func() time.Time
	wanted map[string]bool // event types some enabled webhook wants; nil until read
	added  bool            // an event was queued
}

// wants reports whether a consumer wants events of type typ (read once
// per transaction), so that a change nobody listens to costs no extra read.
func (t *Tx) wants(typ string) bool {
	if t.wanted == nil {
		if err := t.loadWanted(); err != nil {
			return true // add will fail the same read and say why
		}
	}
	return t.wanted[typ]
}

// add queues an event of type typ about record v for the consumers that want it.
func (t *Tx) add(typ string, v any) error {
	if t.wanted == nil {
		if err := t.loadWanted(); err != nil {
			return err
		}
	}
	if !t.wanted[typ] {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	t.added = true
	return t.Tx.AddOutboxEvent(&store.OutboxEvent{Type: typ, At: t.now().UTC(), Data: data}, store.ConsumerWebhooks)
}

// loadWanted reads which event types enabled webhooks want.
func (t *Tx) loadWanted() error {
	hooks, err := t.Tx.Webhooks()
	if err != nil {
		return err
	}
	t.wanted = map[string]bool{}
	for i := range hooks {
		for _, e := range hooks[i].Events {
			if hooks[i].Enabled {
				t.wanted[e] = true
			}
		}
	}
	return nil
}

// ReserveIDs passes the hint on to the wrapped transaction
// (store.IDReserver).
func (t *Tx) ReserveIDs(n store.NewIDs) error { return store.ReserveIDs(t.Tx, n) }

// PrefetchInbound passes the read-ahead on to the wrapped transaction
// (store.InboundPrefetcher).
func (t *Tx) PrefetchInbound(r store.InboundReads) error { return store.PrefetchInbound(t.Tx, r) }

// CreateMessage records message.created.
func (t *Tx) CreateMessage(m *store.Message, data [][]byte) error {
	if err := t.Tx.CreateMessage(m, data); err != nil {
		return err
	}
	return t.add(MessageCreated, m)
}

// CreateConversation records conversation.created.
func (t *Tx) CreateConversation(c *store.Conversation) error {
	if err := t.Tx.CreateConversation(c); err != nil {
		return err
	}
	return t.add(ConversationCreated, c)
}

// CreateItem records item.created.
func (t *Tx) CreateItem(it *store.Item) error {
	if err := t.Tx.CreateItem(it); err != nil {
		return err
	}
	return t.add(ItemCreated, it)
}

// ItemChange is the data of item.status_changed: the item, and its
// status before.
type ItemChange struct {
	*store.Item
	PreviousStatus string `json:"previous_status"`
}

// PutItem records item.status_changed and item.assignees_changed.
func (t *Tx) PutItem(it *store.Item) error {
	if !t.wants(ItemStatusChanged) && !t.wants(ItemAssigneesChanged) {
		return t.Tx.PutItem(it)
	}
	old, err := t.Tx.Item(it.ID)
	if err != nil {
		return err
	}
	if err := t.Tx.PutItem(it); err != nil {
		return err
	}
	if old.Status != it.Status {
		if err := t.add(ItemStatusChanged, ItemChange{Item: it, PreviousStatus: old.Status}); err != nil {
			return err
		}
	}
	if !slices.Equal(old.Assignees, it.Assignees) {
		return t.add(ItemAssigneesChanged, it)
	}
	return nil
}

// AddMailLog records maillog.inbound for inbound mail.
func (t *Tx) AddMailLog(e *store.MailLogEntry, raw []byte) error {
	if err := t.Tx.AddMailLog(e, raw); err != nil {
		return err
	}
	if e.Direction != store.DirInbound {
		return nil
	}
	return t.add(MailLogInbound, e)
}

// SetMailLogStatus records maillog.inbound again when an inbound entry's
// status changes after it was logged.
func (t *Tx) SetMailLogStatus(id uint64, status, detail string, convID, msgID uint64) error {
	if err := t.Tx.SetMailLogStatus(id, status, detail, convID, msgID); err != nil || !t.wants(MailLogInbound) {
		return err
	}
	e, err := t.Tx.MailLog(id)
	if err != nil || e.Direction != store.DirInbound {
		return err
	}
	return t.add(MailLogInbound, e)
}

// deliveryChanged reports a change a delivery.updated tells: an email
// state other than the timer's, or the recipient seeing it.
func deliveryChanged(old, d *store.Delivery) bool {
	if (old.SeenAt == nil) != (d.SeenAt == nil) {
		return true
	}
	if old.EmailStatus == d.EmailStatus {
		return false
	}
	switch d.EmailStatus {
	case store.EmailSent, store.EmailDeferred, store.EmailBounced, store.EmailQueued:
		return true
	}
	return false
}

// PutDelivery records delivery.updated.
func (t *Tx) PutDelivery(d *store.Delivery) error {
	if !t.wants(DeliveryUpdated) {
		return t.Tx.PutDelivery(d)
	}
	old, err := t.Tx.Delivery(d.MessageID, d.Recipient)
	if err != nil {
		return t.Tx.PutDelivery(d) // new: AddDelivery's case, no update to tell
	}
	if err := t.Tx.PutDelivery(d); err != nil {
		return err
	}
	if deliveryChanged(old, d) {
		return t.add(DeliveryUpdated, d)
	}
	return nil
}

// SeeUpTo records delivery.updated for each delivery seen.
func (t *Tx) SeeUpTo(r store.Recipient, conv, upTo uint64, see func(*store.Delivery)) ([]store.Delivery, error) {
	ds, err := t.Tx.SeeUpTo(r, conv, upTo, see)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if err := t.add(DeliveryUpdated, &ds[i]); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// PutMailbox records mailbox.status_changed.
func (t *Tx) PutMailbox(m *store.Mailbox) error {
	if !t.wants(MailboxStatusChanged) {
		return t.Tx.PutMailbox(m)
	}
	old, err := t.Tx.Mailbox(m.ID)
	if err != nil {
		return err
	}
	if err := t.Tx.PutMailbox(m); err != nil {
		return err
	}
	if old.State != m.State || old.LastError != m.LastError {
		return t.add(MailboxStatusChanged, m)
	}
	return nil
}
