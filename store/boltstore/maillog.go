package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// AddMailLog stores e (assigning e.ID) and its raw message.
func (t *Tx) AddMailLog(e *store.MailLogEntry, raw []byte) error {
	id, err := nextID(t.b(bMailLog))
	if err != nil {
		return err
	}
	e.ID = id
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	e.UpdatedAt = e.At
	e.Size = len(raw)
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("put maillog: %w", err)
	}
	size := int64(len(v)+len(raw)) + mailLogKeyBytes
	if err := t.enforceMailLogLimit(size); err != nil {
		return fmt.Errorf("evict maillog: %w", err)
	}
	if err := t.b(bMailLog).Put(u64(id), v); err != nil {
		return fmt.Errorf("put maillog: %w", err)
	}
	if err := t.addMailLogBytes(size); err != nil {
		return err
	}
	if err := t.b(bMailLogTime).Put(pair(uint64(e.At.UnixNano()), id), nil); err != nil {
		return fmt.Errorf("put maillog time: %w", err)
	}
	if raw != nil {
		if err := t.b(bRaw).Put(u64(id), raw); err != nil {
			return fmt.Errorf("put raw: %w", err)
		}
	}
	return nil
}

// MailLog returns entry id.
func (t *Tx) MailLog(id uint64) (*store.MailLogEntry, error) {
	var e store.MailLogEntry
	ok, err := getJSON(t.b(bMailLog), u64(id), &e)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &e, nil
}

// SetMailLogStatus changes the status and detail of entry id (and, when
// non-zero, the conversation and message it produced).
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
	return t.putMailLog(id, e)
}

// putMailLog rewrites entry id, keeping the space counter in step.
func (t *Tx) putMailLog(id uint64, e *store.MailLogEntry) error {
	old := len(t.b(bMailLog).Get(u64(id)))
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := t.b(bMailLog).Put(u64(id), v); err != nil {
		return err
	}
	return t.addMailLogBytes(int64(len(v) - old))
}

// MailLogRaw returns a copy of the raw message of entry id.
func (t *Tx) MailLogRaw(id uint64) ([]byte, error) {
	v := t.b(bRaw).Get(u64(id))
	if v == nil {
		return nil, store.ErrNotFound
	}
	return bytes.Clone(v), nil
}

// ListMailLog returns entries matching q, newest first.
func (t *Tx) ListMailLog(q store.MailLogQuery) ([]store.MailLogEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var out []store.MailLogEntry
	c := t.b(bMailLog).Cursor()
	var k, v []byte
	switch {
	case q.BeforeID == 0:
		k, v = c.Last()
	default:
		// Seek lands on BeforeID or the next key; the one before is older.
		if k, _ = c.Seek(u64(q.BeforeID)); k != nil {
			k, v = c.Prev()
		} else {
			k, v = c.Last()
		}
	}
	for ; k != nil && len(out) < q.Limit; k, v = c.Prev() {
		var e store.MailLogEntry
		if err := jsonUnmarshal(v, &e); err != nil {
			return nil, err
		}
		if !q.Since.IsZero() && e.At.Before(q.Since) {
			break
		}
		if q.Direction != "" && e.Direction != q.Direction {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// PruneMailLog deletes up to max entries (and their raw messages) older
// than before, oldest first; it returns how many it deleted. Callers loop
// in small chunks so no transaction grows large.
func (t *Tx) PruneMailLog(before time.Time, max int) (int, error) {
	// Collect first: deleting under a bbolt cursor can skip keys.
	var keys [][]byte
	limit := uint64(before.UnixNano())
	c := t.b(bMailLogTime).Cursor()
	for k, _ := c.First(); k != nil && len(keys) < max; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[:8]) >= limit {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	n := 0
	var freed int64
	for _, k := range keys {
		size, err := t.deleteMailLog(k)
		if err != nil {
			return n, fmt.Errorf("prune: %w", err)
		}
		freed += size
		n++
	}
	return n, t.addMailLogBytes(-freed)
}
