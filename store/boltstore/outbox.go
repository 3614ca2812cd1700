package boltstore

import (
	"bytes"

	"github.com/deskgate/deskgate/store"
)

// Outbox buckets: events by id, and each consumer's queue.
var (
	bOutbox      = []byte("outbox")       // u64(id) → store.OutboxEvent
	bOutboxQueue = []byte("outbox_queue") // consumer 0x00 u64(id) → nil
)

func queueKey(consumer string, id uint64) []byte {
	return append(append([]byte(consumer), 0), u64(id)...)
}

// AddOutboxEvent stores e with a new id, queued for each consumer.
func (t *Tx) AddOutboxEvent(e *store.OutboxEvent, consumers ...string) error {
	if len(consumers) == 0 {
		return nil
	}
	t.writes++
	id, err := nextID(t.b(bOutbox))
	if err != nil {
		return err
	}
	e.ID = id
	if err := putJSON(t.b(bOutbox), u64(id), e); err != nil {
		return err
	}
	for _, c := range consumers {
		if err := t.b(bOutboxQueue).Put(queueKey(c, id), nil); err != nil {
			return err
		}
	}
	return nil
}

// ClaimOutbox returns up to max events queued for consumer, oldest first.
func (t *Tx) ClaimOutbox(consumer string, max int) ([]store.OutboxEvent, error) {
	prefix := append([]byte(consumer), 0)
	var out []store.OutboxEvent
	c := t.b(bOutboxQueue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < max; k, _ = c.Next() {
		var e store.OutboxEvent
		ok, err := getJSON(t.b(bOutbox), k[len(prefix):], &e)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// AckOutbox removes ids from consumer's queue, and events no consumer
// still has queued.
func (t *Tx) AckOutbox(consumer string, ids []uint64) error {
	t.writes++
	q := t.b(bOutboxQueue)
	for _, id := range ids {
		if err := q.Delete(queueKey(consumer, id)); err != nil {
			return err
		}
		if !t.queuedAnywhere(id) {
			if err := t.b(bOutbox).Delete(u64(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// queuedAnywhere reports whether any consumer still has event id queued.
func (t *Tx) queuedAnywhere(id uint64) bool {
	want := u64(id)
	found := false
	_ = t.b(bOutboxQueue).ForEach(func(k, _ []byte) error {
		if len(k) > 8 && bytes.Equal(k[len(k)-8:], want) && k[len(k)-9] == 0 {
			found = true
		}
		return nil
	})
	return found
}

// OutboxQueued counts consumer's queue.
func (t *Tx) OutboxQueued(consumer string) (int, error) {
	prefix := append([]byte(consumer), 0)
	n := 0
	c := t.b(bOutboxQueue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n, nil
}
