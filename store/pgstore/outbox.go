package pgstore

import (
	"github.com/deskgate/deskgate/store"
)

// AddOutboxEvent stores e with a new id, queued for each consumer, in one
// statement (the id is drawn first and set into the record).
func (t *Tx) AddOutboxEvent(e *store.OutboxEvent, consumers ...string) error {
	if len(consumers) == 0 {
		return nil
	}
	e.ID = 0
	data, err := mustJSON(e)
	if err != nil {
		return err
	}
	var id int64
	err = t.queryRow(`WITH n AS (SELECT nextval('outbox_events_id_seq') AS id),
		e AS (INSERT INTO outbox_events (id, data) SELECT id, jsonb_set($1::jsonb, '{id}', to_jsonb(id)) FROM n RETURNING id),
		q AS (INSERT INTO outbox_queue (consumer, event_id) SELECT unnest($2::text[]), id FROM e)
		SELECT id FROM e`, data, consumers).Scan(&id)
	if err != nil {
		return err
	}
	e.ID = uint64(id)
	return nil
}

// ClaimOutbox returns up to max events queued for consumer, oldest first,
// locking their queue entries (skipping those another transaction holds).
func (t *Tx) ClaimOutbox(consumer string, max int) ([]store.OutboxEvent, error) {
	return allJSON[store.OutboxEvent](t, `SELECT e.data FROM outbox_events e JOIN (
		SELECT event_id FROM outbox_queue WHERE consumer = $1 ORDER BY event_id LIMIT $2`+t.lockSuffix()+`
	) q ON q.event_id = e.id ORDER BY e.id`, consumer, max)
}

// AckOutbox removes ids from consumer's queue and deletes events no
// consumer still has queued.
func (t *Tx) AckOutbox(consumer string, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	arr := make([]int64, len(ids))
	for i, id := range ids {
		arr[i] = int64(id)
	}
	_, err := t.exec(`WITH d AS (DELETE FROM outbox_queue WHERE consumer = $1 AND event_id = ANY($2) RETURNING event_id)
		DELETE FROM outbox_events e WHERE e.id IN (SELECT event_id FROM d)
		AND NOT EXISTS (SELECT 1 FROM outbox_queue q WHERE q.event_id = e.id AND q.consumer <> $1)`, consumer, arr)
	return err
}

// OutboxQueued counts consumer's queue.
func (t *Tx) OutboxQueued(consumer string) (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM outbox_queue WHERE consumer = $1`, consumer).Scan(&n)
	return n, err
}
