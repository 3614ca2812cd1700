package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// key is the 9-byte recipient key: 'u' or 'c', then the id.
func recipientKey(r store.Recipient) []byte {
	k := make([]byte, 9)
	k[0] = 'u'
	if r.Type == store.KindCustomer {
		k[0] = 'c'
	}
	binary.BigEndian.PutUint64(k[1:], r.ID)
	return k
}

func recipientFromKey(k []byte) store.Recipient {
	r := store.Recipient{Type: store.KindUser, ID: binary.BigEndian.Uint64(k[1:9])}
	if k[0] == 'c' {
		r.Type = store.KindCustomer
	}
	return r
}

func deliveryKey(msg uint64, r store.Recipient) []byte {
	return append(u64(msg), recipientKey(r)...)
}

// inboxKey is a recipient's entry for a conversation it was notified in.
func inboxKey(r store.Recipient, conv uint64) []byte { return append(recipientKey(r), u64(conv)...) }

// bConvRecipients holds the per (conversation, recipient) notification
// state (pairState); it is in layout.go's allBuckets.
var bConvRecipients = []byte("conv_recipients")

// convRecipientKey is the state of (conversation, recipient): conversation
// first, so the records one message touches (one per recipient) are
// neighbours in the B+tree and a message to 1,000 followers rewrites a
// few pages, not 1,000.
func convRecipientKey(conv uint64, r store.Recipient) []byte {
	return append(u64(conv), recipientKey(r)...)
}

// pairState is what the store keeps per (conversation, recipient) so that
// finding unseen notifications does not read seen ones.
type pairState struct {
	First    uint64 // the first message r was notified of in the conversation
	Unseen   uint64 // how many of r's notifications there are unseen
	ScanFrom uint64 // every notification of a message before ScanFrom is seen
}

func (t *Tx) pairState(conv uint64, r store.Recipient) (pairState, bool) {
	v := t.b(bConvRecipients).Get(convRecipientKey(conv, r))
	if v == nil {
		return pairState{}, false
	}
	d := dec{b: v}
	st := pairState{First: d.uvarint(), Unseen: d.uvarint(), ScanFrom: d.uvarint()}
	return st, d.err == nil
}

func (t *Tx) putPairState(conv uint64, r store.Recipient, st pairState) error {
	e := enc{b: make([]byte, 0, 16)}
	e.uvarint(st.First)
	e.uvarint(st.Unseen)
	e.uvarint(st.ScanFrom)
	if err := t.b(bConvRecipients).Put(convRecipientKey(conv, r), e.b); err != nil {
		return fmt.Errorf("put notification state: %w", err)
	}
	return nil
}

// appendFill is how full bbolt fills a page before it splits, for buckets
// whose keys mostly grow (the default, 0.5, suits random inserts and
// leaves appended pages half empty).
const appendFill = 0.9

// deliveryV1 is the version byte of the binary delivery record.
const deliveryV1 = 1

func encodeDelivery(d *store.Delivery) []byte {
	e := enc{b: make([]byte, 0, 64+len(d.Recipient.Email)+len(d.Recipient.Name)+len(d.Detail))}
	e.byte(deliveryV1)
	e.uvarint(d.MessageID)
	e.uvarint(d.ConversationID)
	e.str(d.Recipient.Type)
	e.uvarint(d.Recipient.ID)
	e.str(d.Recipient.Email)
	e.str(d.Recipient.Name)
	e.time(d.NotifiedAt)
	e.optTime(d.SeenAt)
	e.str(d.EmailStatus)
	e.optTime(d.EmailedAt)
	e.uvarint(d.OutboundID)
	e.str(d.Detail)
	return e.b
}

func decodeDelivery(data []byte, d *store.Delivery) error {
	x := dec{b: data}
	if v := x.byte(); x.err == nil && v != deliveryV1 {
		return fmt.Errorf("decode delivery: unknown record version %d", v)
	}
	d.MessageID = x.uvarint()
	d.ConversationID = x.uvarint()
	d.Recipient.Type = x.str()
	d.Recipient.ID = x.uvarint()
	d.Recipient.Email = x.str()
	d.Recipient.Name = x.str()
	d.NotifiedAt = x.time()
	d.SeenAt = x.optTime()
	d.EmailStatus = x.str()
	d.EmailedAt = x.optTime()
	d.OutboundID = x.uvarint()
	d.Detail = x.str()
	if x.err != nil {
		return fmt.Errorf("decode delivery: %w", x.err)
	}
	return nil
}

// deliverySeen reads only whether an encoded delivery is seen.
func deliverySeen(data []byte) bool {
	var d store.Delivery
	return decodeDelivery(data, &d) == nil && d.SeenAt != nil
}

// PutDelivery stores d (new or changed) and keeps the recipient's inbox
// and unseen count of the conversation up to date.
func (t *Tx) PutDelivery(d *store.Delivery) error {
	old := t.b(bDeliveries).Get(deliveryKey(d.MessageID, d.Recipient))
	return t.putDelivery(d, old != nil && !deliverySeen(old))
}

// AddDelivery stores d, a delivery of a message just created (so none is
// stored yet for its recipient): PutDelivery without reading the old record,
// for the posting path, which adds one per recipient.
func (t *Tx) AddDelivery(d *store.Delivery) error {
	return t.putDelivery(d, false)
}

// putDelivery stores d; oldUnseen says whether the record it replaces was
// an unseen notification.
func (t *Tx) putDelivery(d *store.Delivery, oldUnseen bool) error {
	key := deliveryKey(d.MessageID, d.Recipient)
	b := t.b(bDeliveries)
	b.SetFillPercent(appendFill) // keys start with the message id: appended
	if err := b.Put(key, encodeDelivery(d)); err != nil {
		return fmt.Errorf("put delivery: %w", err)
	}
	st, ok := t.pairState(d.ConversationID, d.Recipient)
	before := st
	if !ok {
		st.First = d.MessageID
		if err := t.b(bInbox).Put(inboxKey(d.Recipient, d.ConversationID), nil); err != nil {
			return fmt.Errorf("index notification: %w", err)
		}
	}
	st.First = min(st.First, d.MessageID)
	switch unseen := d.SeenAt == nil; {
	case unseen && !oldUnseen:
		if st.Unseen == 0 || d.MessageID < st.ScanFrom {
			st.ScanFrom = d.MessageID
		}
		st.Unseen++
	case !unseen && oldUnseen && st.Unseen > 0:
		st.Unseen--
	}
	if ok && st == before {
		return nil
	}
	return t.putPairState(d.ConversationID, d.Recipient, st)
}

// Delivery returns message msg's delivery to r, or ErrNotFound.
func (t *Tx) Delivery(msg uint64, r store.Recipient) (*store.Delivery, error) {
	v := t.b(bDeliveries).Get(deliveryKey(msg, r))
	if v == nil {
		return nil, store.ErrNotFound
	}
	var d store.Delivery
	if err := decodeDelivery(v, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Deliveries returns every delivery of message msg.
func (t *Tx) Deliveries(msg uint64) ([]store.Delivery, error) {
	var out []store.Delivery
	prefix := u64(msg)
	c := t.b(bDeliveries).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var d store.Delivery
		if err := decodeDelivery(v, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Inbox returns r's deliveries matching q, ordered by conversation, then
// message. It walks the conversation's messages from the first one r was
// notified of (for UnseenOnly: from the first unseen one) and looks each
// up, so seen notifications cost nothing when only unseen ones are asked.
func (t *Tx) Inbox(r store.Recipient, q store.InboxQuery) ([]store.Delivery, error) {
	var out []store.Delivery
	for _, conv := range t.inboxConversations(r, q.Conversation) {
		ds, err := t.inboxOf(r, conv, q)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// inboxConversations lists the conversations r was notified in (only conv
// when it is not 0).
func (t *Tx) inboxConversations(r store.Recipient, conv uint64) []uint64 {
	if conv != 0 {
		return []uint64{conv}
	}
	var out []uint64
	prefix := recipientKey(r)
	c := t.b(bInbox).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, decodeU64(k[9:17]))
	}
	return out
}

// inboxOf is Inbox for one conversation.
func (t *Tx) inboxOf(r store.Recipient, conv uint64, q store.InboxQuery) ([]store.Delivery, error) {
	st, ok := t.pairState(conv, r)
	if !ok || (q.UnseenOnly && st.Unseen == 0) {
		return nil, nil
	}
	from := max(st.First, q.After+1)
	if q.UnseenOnly {
		from = max(from, st.ScanFrom)
	}
	var out []store.Delivery
	keep := func(msg uint64) (bool, error) { // reports whether to go on
		v := t.b(bDeliveries).Get(deliveryKey(msg, r))
		if v == nil {
			return true, nil
		}
		var d store.Delivery
		if err := decodeDelivery(v, &d); err != nil {
			return false, err
		}
		if !q.UnseenOnly || d.SeenAt == nil {
			out = append(out, d)
		}
		switch {
		case q.Last > 0 && len(out) >= q.Last:
			return false, nil
		case q.UnseenOnly && q.UpTo == 0 && q.Last == 0 && uint64(len(out)) >= st.Unseen:
			return false, nil // found them all
		}
		return true, nil
	}
	prefix := u64(conv)
	c := t.b(bConvMessages).Cursor()
	if q.Last > 0 {
		err := walkBack(c, conv, from, q.UpTo, keep)
		slices.Reverse(out)
		return out, err
	}
	for k, _ := c.Seek(pair(conv, from)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		msg := decodeU64(k[8:16])
		if q.UpTo != 0 && msg > q.UpTo {
			break
		}
		if goOn, err := keep(msg); err != nil || !goOn {
			return out, err
		}
	}
	return out, nil
}

// walkBack calls fn for conversation conv's message ids from upTo (0: the
// last) down to from, while fn says go on.
func walkBack(c cursor, conv, from, upTo uint64, fn func(uint64) (bool, error)) error {
	if upTo == 0 {
		upTo = ^uint64(0)
	}
	k, _ := c.Seek(pair(conv, upTo))
	switch {
	case k == nil:
		k, _ = c.Last()
	case decodeU64(k[:8]) != conv || decodeU64(k[8:16]) > upTo:
		k, _ = c.Prev()
	}
	for ; k != nil && decodeU64(k[:8]) == conv; k, _ = c.Prev() {
		msg := decodeU64(k[8:16])
		if msg < from {
			return nil
		}
		if goOn, err := fn(msg); err != nil || !goOn {
			return err
		}
	}
	return nil
}

// NewestMessageIDs returns the ids of conversation conv's newest n
// messages, newest first, reading only those keys.
func (t *Tx) NewestMessageIDs(conv uint64, n int) ([]uint64, error) {
	var out []uint64
	if n <= 0 {
		return out, nil
	}
	_ = walkBack(t.b(bConvMessages).Cursor(), conv, 0, 0, func(msg uint64) (bool, error) {
		out = append(out, msg)
		return len(out) < n, nil
	})
	return out, nil
}

// UnseenCount returns how many of r's notifications in conv are unseen,
// without reading them.
func (t *Tx) UnseenCount(r store.Recipient, conv uint64) (int, error) {
	st, _ := t.pairState(conv, r)
	return int(st.Unseen), nil
}

// UnseenCounts returns r's unseen notification count per conversation,
// for the conversations that have any.
func (t *Tx) UnseenCounts(r store.Recipient) (map[uint64]int, error) {
	out := map[uint64]int{}
	for _, conv := range t.inboxConversations(r, 0) {
		if st, _ := t.pairState(conv, r); st.Unseen > 0 {
			out[conv] = int(st.Unseen)
		}
	}
	return out, nil
}

// SeeUpTo marks r's unseen notifications in conv of messages up to upTo
// seen: see is called on each (it must set SeenAt, and may change the
// email status), then each is stored. Seeing a message sees every earlier
// one (SPEC §4), so afterwards nothing before upTo+1 is unseen. It returns
// the changed deliveries.
func (t *Tx) SeeUpTo(r store.Recipient, conv, upTo uint64, see func(*store.Delivery)) ([]store.Delivery, error) {
	ds, err := t.inboxOf(r, conv, store.InboxQuery{UpTo: upTo, UnseenOnly: true})
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	for i := range ds {
		see(&ds[i])
		if ds[i].SeenAt == nil {
			return nil, fmt.Errorf("see delivery of message %d: SeenAt not set", ds[i].MessageID)
		}
		if err := t.PutDelivery(&ds[i]); err != nil {
			return nil, err
		}
	}
	st, _ := t.pairState(conv, r)
	if st.Unseen > 0 && st.ScanFrom <= upTo {
		st.ScanFrom = upTo + 1
		if err := t.putPairState(conv, r, st); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// LinkEmail records that outbound email id carries delivery d.
func (t *Tx) LinkEmail(id uint64, d *store.Delivery) error {
	return t.b(bEmailDeliv).Put(append(u64(id), deliveryKey(d.MessageID, d.Recipient)...), nil)
}

// EmailDeliveries returns the deliveries outbound email id carries.
func (t *Tx) EmailDeliveries(id uint64) ([]store.Delivery, error) {
	var out []store.Delivery
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
