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

// queuedAnywhere reports whether any consumer still has event id queued:
// one probe per consumer (a seek past each consumer's keys finds the
// next), not a walk of the queues, which may be long while a consumer
// catches up.
func (t *Tx) queuedAnywhere(id uint64) bool {
	c := t.b(bOutboxQueue).Cursor()
	for k, _ := c.First(); k != nil; {
		i := bytes.IndexByte(k, 0)
		if i < 0 { // not a queue key: skip it
			k, _ = c.Next()
			continue
		}
		consumer := string(k[:i])
		want := queueKey(consumer, id)
		if got, _ := t.b(bOutboxQueue).Cursor().Seek(want); bytes.Equal(got, want) {
			return true
		}
		k, _ = c.Seek(append([]byte(consumer), 1)) // the next consumer's first key
	}
	return false
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
