package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// AddMailLog stores e (assigning e.ID) and its raw message.
func (t *Tx) AddMailLog(e *store.MailLogEntry, raw []byte) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	e.UpdatedAt = e.At
	e.Size = len(raw)
	e.ID = 0
	// An id drawn ahead (ReserveIDs), or firing a batch (an id reserved
	// for the batch): a blind write (the document encoded once, with its
	// id).
	id, ok := t.takeID("maillog")
	if !ok {
		var err error
		if id, ok, err = t.reservedID("maillog"); err != nil {
			return err
		}
	}
	if ok {
		e.ID = uint64(id)
		doc, err := mustJSON(e)
		if err != nil {
			return err
		}
		t.queueLog(logRow{id: id, at: ns(e.At), direction: e.Direction, doc: doc, raw: raw})
		t.memoDoc("maillog", uint64(id), doc)
		return nil
	}
	doc, err := mustJSON(e)
	if err != nil {
		return err
	}
	// One statement: the new id goes into the row and its document.
	if err := t.queryRow(`INSERT INTO maillog (id, at_ns, direction, data, raw)
		SELECT n.id, $1, $2, jsonb_set($3::jsonb, '{id}', to_jsonb(n.id)), $4
		FROM (SELECT nextval('maillog_id_seq') AS id) n RETURNING id`,
		ns(e.At), e.Direction, doc, raw).Scan(&id); err != nil {
		return fmt.Errorf("put maillog: %w", err)
	}
	e.ID = uint64(id)
	return nil
}

// MailLog returns entry id.
func (t *Tx) MailLog(id uint64) (*store.MailLogEntry, error) {
	var e store.MailLogEntry
	if ok, err := t.memoGet("maillog", id, &e); ok || err != nil {
		return &e, err
	}
	ok, err := t.getJSON(&e, t.lockRead(`SELECT data FROM maillog WHERE id = $1`), int64(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &e, nil
}

// putMailLog overwrites entry e, with the next statement (writes.go).
func (t *Tx) putMailLog(e *store.MailLogEntry) error {
	doc, err := mustJSON(e)
	if err != nil {
		return err
	}
	t.queueLogUpdate(int64(e.ID), doc, nil, false)
	t.memoDoc("maillog", e.ID, doc)
	return nil
}

// SetMailLogStatus changes the status and detail of entry id.
func (t *Tx) SetMailLogStatus(id uint64, status, detail string, convID, msgID uint64) error {
	e, err := t.MailLog(id)
	if err != nil {
		return err
	}
	e.Status, e.Detail = status, detail
	if convID != 0 {
		e.ConversationID = convID
	}
	if msgID != 0 {
		e.MessageIDInt = msgID
	}
	e.UpdatedAt = time.Now().UTC()
	return t.putMailLog(e)
}

// MailLogRaw returns the raw message of entry id.
func (t *Tx) MailLogRaw(id uint64) ([]byte, error) {
	b, ok, err := t.bytesOf(`SELECT raw FROM maillog WHERE id = $1`, int64(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return b, nil
}

// SetMailLogRaw replaces the raw message of entry id.
func (t *Tx) SetMailLogRaw(id uint64, raw []byte) error {
	e, err := t.MailLog(id)
	if err != nil {
		return err
	}
	e.Size = len(raw)
	doc, err := mustJSON(e)
	if err != nil {
		return err
	}
	t.queueLogUpdate(int64(id), doc, raw, true)
	t.memoDoc("maillog", id, doc)
	return nil
}

// ListMailLog returns entries matching q, newest first.
func (t *Tx) ListMailLog(q store.MailLogQuery) ([]store.MailLogEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	before := int64(q.BeforeID)
	if before == 0 {
		before = 1<<63 - 1
	}
	since := int64(-1 << 63)
	if !q.Since.IsZero() {
		since = ns(q.Since)
	}
	return allJSON[store.MailLogEntry](t, `SELECT data FROM maillog
		WHERE id < $1 AND at_ns >= $2 AND ($3 = '' OR direction = $3)
		ORDER BY id DESC LIMIT $4`, before, since, q.Direction, q.Limit)
}

// PruneMailLog deletes up to max entries older than before, oldest first.
func (t *Tx) PruneMailLog(before time.Time, max int) (int, error) {
	t.forgetTable("maillog")
	tag, err := t.exec(`DELETE FROM maillog WHERE id IN (
		SELECT id FROM maillog WHERE at_ns < $1 ORDER BY at_ns, id LIMIT $2)`, ns(before), max)
	if err != nil {
		return 0, fmt.Errorf("prune maillog: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// EvictMailLog deletes the oldest entries while the mail log takes more
// than maxBytes, at most max of them. The size is summed over the table
// (its documents, raw messages and keys, as bbolt counts them): the
// pruning node runs it once a round rather than every insert paying for a
// counter every node would fight over.
func (t *Tx) EvictMailLog(maxBytes int64, max int) (int, error) {
	var total int64
	if err := t.queryRow(`SELECT coalesce(sum(octet_length(data::text) + coalesce(octet_length(raw), 0) + 32), 0)::bigint FROM maillog`).Scan(&total); err != nil {
		return 0, err
	}
	if total <= maxBytes {
		return 0, nil
	}
	// The oldest entries until what they free covers the excess.
	t.forgetTable("maillog")
	tag, err := t.exec(`DELETE FROM maillog WHERE id IN (
		SELECT id FROM (
			SELECT id, coalesce(sum(octet_length(data::text) + coalesce(octet_length(raw), 0) + 32)
				OVER (ORDER BY at_ns, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS freed_before
			FROM maillog ORDER BY at_ns, id LIMIT $2) o
		WHERE freed_before < $1)`, total-maxBytes, max)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
