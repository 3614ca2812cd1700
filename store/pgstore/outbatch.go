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
	}
	return err
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
