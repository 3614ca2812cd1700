package pgstore

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// outMemo is what a transaction knows of outbound emails it read in a
// batch (PrefetchOutbound, DueOutbound) or wrote: the queue claims,
// starts and records emails by the hundred, and reads each of them; one
// set-based read answers them all (issue 22, item 5).
type outMemo struct {
	doc     []byte // nil: no such email
	raw     []byte
	rawRead bool // raw is known (nil: none)
}

// PrefetchOutbound reads outbound emails ids and their raw messages in one
// statement (locking them in a write transaction, in id order); Outbound
// and OutboundRaw of them are then answered from memory. It is optional:
// the queue calls it where the store has it (bbolt reads are local).
func (t *Tx) PrefetchOutbound(ids []uint64) error {
	var want []int64
	for _, id := range ids {
		if m, ok := t.outs[int64(id)]; ok && m.rawRead {
			continue
		}
		if !slices.Contains(want, int64(id)) {
			want = append(want, int64(id))
		}
	}
	if len(want) == 0 {
		return nil
	}
	rows, err := t.query(t.lockRead(`SELECT id, data, raw FROM outbound WHERE id = ANY($1) ORDER BY id`), want)
	if err != nil {
		return err
	}
	if t.outs == nil {
		t.outs = map[int64]*outMemo{}
	}
	for _, id := range want {
		t.outs[id] = &outMemo{rawRead: true}
	}
	var id int64
	var doc, raw []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &doc, &raw}, func() error {
		t.outs[id] = &outMemo{doc: slices.Clone(doc), raw: slices.Clone(raw), rawRead: true}
		return nil
	})
	if err != nil {
		t.outs = nil
		return err
	}
	if !t.write {
		return nil
	}
	// What recording their outcomes reads next: the deliveries each
	// carries (locked) and their mail log entries (locked).
	if err := t.prefetchEmailDeliveries(want); err != nil {
		return err
	}
	var logIDs []int64
	for _, id := range want {
		if m := t.outs[id]; m != nil && m.doc != nil {
			var o struct {
				MailLogID int64 `json:"maillog_id"`
			}
			if json.Unmarshal(m.doc, &o) == nil && o.MailLogID != 0 {
				if _, mine := t.docs[docKey{"maillog", o.MailLogID}]; !mine {
					logIDs = append(logIDs, o.MailLogID)
				}
			}
		}
	}
	if len(logIDs) == 0 {
		return nil
	}
	rows, err = t.query(`SELECT id, data FROM maillog WHERE id = ANY($1) ORDER BY id FOR UPDATE`, logIDs)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&id, &doc}, func() error {
		t.memoDoc("maillog", uint64(id), slices.Clone(doc))
		return nil
	})
	return err
}

// emailDelsMemo are the deliveries of emails a write transaction read in
// a batch, kept true as it writes them.
type emailDelsMemo struct {
	byEmail map[int64][]emailDel
	docs    map[delKey][]byte // nil: no such delivery
}

type emailDel struct {
	msg int64
	key delKey
}

// prefetchEmailDeliveries reads (and locks) the deliveries emails ids
// carry, in one statement.
func (t *Tx) prefetchEmailDeliveries(ids []int64) error {
	rows, err := t.query(`WITH l AS (SELECT d.message_id, d.rtype, d.rid, d.data FROM deliveries d
			WHERE (d.message_id, d.rtype, d.rid) IN (SELECT message_id, rtype, rid FROM email_deliveries WHERE outbound_id = ANY($1))
			FOR UPDATE)
		SELECT e.outbound_id, e.message_id, e.rtype, e.rid, l.data FROM email_deliveries e
			LEFT JOIN l USING (message_id, rtype, rid)
		WHERE e.outbound_id = ANY($1) ORDER BY e.outbound_id, e.message_id, e.rtype, e.rid`, ids)
	if err != nil {
		return err
	}
	m := t.emailDels
	if m == nil {
		m = &emailDelsMemo{byEmail: map[int64][]emailDel{}, docs: map[delKey][]byte{}}
	}
	for _, id := range ids {
		m.byEmail[id] = []emailDel{}
	}
	var out, msg, rid int64
	var rt string
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&out, &msg, &rt, &rid, &doc}, func() error {
		k := delKey{msg, rt, rid}
		m.byEmail[out] = append(m.byEmail[out], emailDel{msg, k})
		if _, known := m.docs[k]; !known {
			m.docs[k] = slices.Clone(doc)
		}
		return nil
	})
	if err != nil {
		t.emailDels = nil
		return err
	}
	t.emailDels = m
	return nil
}

// memoEmailDeliveries answers EmailDeliveries(id) from memory.
func (t *Tx) memoEmailDeliveries(id uint64) ([]store.Delivery, bool, error) {
	if t.emailDels == nil {
		return nil, false, nil
	}
	ds, ok := t.emailDels.byEmail[int64(id)]
	if !ok {
		return nil, false, nil
	}
	out := make([]store.Delivery, 0, len(ds))
	for _, d := range ds {
		doc := t.emailDels.docs[d.key]
		if doc == nil {
			return nil, true, fmt.Errorf("delivery of message %d: %w", d.msg, store.ErrNotFound)
		}
		var v store.Delivery
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, true, fmt.Errorf("decode record: %w", err)
		}
		out = append(out, v)
	}
	return out, true, nil
}

// deliveryWritten keeps the memo of email deliveries true.
func (t *Tx) deliveryWritten(k delKey, doc []byte) {
	if t.emailDels != nil {
		if _, ok := t.emailDels.docs[k]; ok {
			t.emailDels.docs[k] = doc
		}
	}
}

// memoOutbound remembers email id's document (raw unknown).
func (t *Tx) memoOutbound(id int64, doc []byte) {
	if t.outs == nil {
		t.outs = map[int64]*outMemo{}
	}
	t.outs[id] = &outMemo{doc: slices.Clone(doc)}
}

// outboundWritten keeps the memo of email id true after PutOutbound.
func (t *Tx) outboundWritten(id int64, doc []byte, pending bool, raw []byte) {
	m, ok := t.outs[id]
	if !ok {
		return
	}
	m.doc = doc
	switch {
	case !pending:
		m.raw, m.rawRead = nil, true
	case raw != nil:
		m.raw, m.rawRead = raw, true
	}
}

// memoOutboundGet answers Outbound(id) from memory; ok is false when the
// transaction does not know it.
func (t *Tx) memoOutboundGet(id uint64) (*store.OutboundEmail, bool, error) {
	m, ok := t.outs[int64(id)]
	if !ok {
		return nil, false, nil
	}
	if m.doc == nil {
		return nil, true, fmt.Errorf("outbound email %d: %w", id, store.ErrNotFound)
	}
	var o store.OutboundEmail
	if err := json.Unmarshal(m.doc, &o); err != nil {
		return nil, true, fmt.Errorf("decode record: %w", err)
	}
	return &o, true, nil
}

// memoOutboundRaw answers OutboundRaw(id) from memory.
func (t *Tx) memoOutboundRaw(id uint64) ([]byte, bool, error) {
	m, ok := t.outs[int64(id)]
	if !ok || !m.rawRead {
		return nil, false, nil
	}
	if m.raw == nil {
		return nil, true, fmt.Errorf("outbound raw %d: %w", id, store.ErrNotFound)
	}
	return slices.Clone(m.raw), true, nil
}
