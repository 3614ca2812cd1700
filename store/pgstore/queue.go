package pgstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// NewOutboundID allocates the id of a new outbound email.
func (t *Tx) NewOutboundID() (uint64, error) {
	if id, ok, err := t.reservedID("outbound_ids"); ok || err != nil {
		return uint64(id), err
	}
	var id int64
	err := t.queryRow(`SELECT nextval('outbound_ids')`).Scan(&id)
	return uint64(id), err
}

// PutOutbound stores o; raw, when not nil, replaces the raw message; a
// final email's raw message is deleted.
func (t *Tx) PutOutbound(o *store.OutboundEmail, raw []byte) error {
	if o.ID == 0 {
		return errors.New("put outbound: no id")
	}
	doc, err := mustJSON(o)
	if err != nil {
		return err
	}
	var done int64
	if !o.DoneAt.IsZero() {
		done = ns(o.DoneAt)
	}
	// A blind write, sent with the next statement (writes.go).
	pending := o.Pending()
	t.queueOutbound(int64(o.ID), outRow{pending: pending, next: ns(o.NextAttempt), done: done,
		messageID: o.MessageID, doc: doc, raw: rawOrNil(pending, raw)})
	t.outboundWritten(int64(o.ID), doc, pending, raw)
	return nil
}

func rawOrNil(pending bool, raw []byte) []byte {
	if !pending {
		return nil
	}
	return raw
}

// Outbound returns outbound email id, or ErrNotFound.
func (t *Tx) Outbound(id uint64) (*store.OutboundEmail, error) {
	if o, ok, err := t.memoOutboundGet(id); ok {
		return o, err
	}
	var o store.OutboundEmail
	return &o, t.getLocked(&o, "outbound email", id, `SELECT data FROM outbound WHERE id = $1`)
}

// OutboundByMessageID finds an outbound email by its Message-ID.
func (t *Tx) OutboundByMessageID(msgID string) (*store.OutboundEmail, error) {
	var o store.OutboundEmail
	ok, err := t.getJSON(&o, `SELECT data FROM outbound WHERE message_id = $1 AND message_id <> '' ORDER BY id DESC LIMIT 1`, msgID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("outbound message-id %q: %w", msgID, store.ErrNotFound)
	}
	return &o, nil
}

// OutboundRaw returns a pending outbound email's raw message.
func (t *Tx) OutboundRaw(id uint64) ([]byte, error) {
	if b, ok, err := t.memoOutboundRaw(id); ok {
		return b, err
	}
	b, ok, err := t.bytesOf(`SELECT raw FROM outbound WHERE id = $1`, int64(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("outbound raw %d: %w", id, store.ErrNotFound)
	}
	return b, nil
}

// DueOutbound returns the ids of up to max pending emails due at or
// before now, earliest first (locked, skipping other nodes' locks, in a
// write transaction).
func (t *Tx) DueOutbound(now time.Time, max int) ([]uint64, error) {
	// Their documents too: the queue reads each of them next.
	rows, err := t.query(`SELECT id, data FROM outbound WHERE pending AND next_ns <= $1 ORDER BY next_ns, id LIMIT $2`+t.lockSuffix(), ns(now), max)
	if err != nil {
		return nil, err
	}
	out := []uint64{}
	var id int64
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &doc}, func() error {
		out = append(out, uint64(id))
		if _, known := t.outs[id]; !known {
			t.memoOutbound(id, doc)
		}
		return nil
	})
	return out, err
}

// NextOutbound returns when the earliest pending email is due.
func (t *Tx) NextOutbound() (time.Time, bool, error) {
	var next *int64
	if err := t.queryRow(`SELECT min(next_ns) FROM outbound WHERE pending`).Scan(&next); err != nil || next == nil {
		return time.Time{}, false, err
	}
	return fromNS(*next), true, nil
}

// OutboundPending counts pending emails.
func (t *Tx) OutboundPending() (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM outbound WHERE pending`).Scan(&n)
	return n, err
}

// PruneOutbound deletes up to max emails that became final before `before`.
func (t *Tx) PruneOutbound(before time.Time, max int) (int, error) {
	tag, err := t.exec(`DELETE FROM outbound WHERE id IN (
		SELECT id FROM outbound WHERE NOT pending AND done_ns > 0 AND done_ns < $1 ORDER BY done_ns LIMIT $2)`, ns(before), max)
	if err != nil {
		return 0, fmt.Errorf("prune outbound: %w", err)
	}
	t.outs = nil
	return int(tag.RowsAffected()), nil
}
