package boltstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

func dueKey(at time.Time, id uint64) []byte { return pair(uint64(at.UnixNano()), id) }

// NewOutboundID allocates the id of a new outbound email.
func (t *Tx) NewOutboundID() (uint64, error) {
	return nextID(t.b(bOutbound))
}

// PutOutbound stores o, keeping the due index (pending emails by
// NextAttempt) and the Message-ID index in step. raw, when not nil,
// replaces the stored raw message; a final email's raw message is deleted
// (the mail log keeps its own copy for the log retention).
func (t *Tx) PutOutbound(o *store.OutboundEmail, raw []byte) error {
	if o.ID == 0 {
		return errors.New("put outbound: no id")
	}
	if old, err := t.Outbound(o.ID); err == nil && old.Pending() {
		if err := t.b(bOutboundDue).Delete(dueKey(old.NextAttempt, o.ID)); err != nil {
			return fmt.Errorf("outbound due index: %w", err)
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := putJSON(t.b(bOutbound), u64(o.ID), o); err != nil {
		return fmt.Errorf("put outbound %d: %w", o.ID, err)
	}
	if o.Pending() {
		if err := t.b(bOutboundDue).Put(dueKey(o.NextAttempt, o.ID), nil); err != nil {
			return fmt.Errorf("outbound due index: %w", err)
		}
	}
	if o.MessageID != "" {
		if err := t.b(bOutboundMsgID).Put([]byte(o.MessageID), u64(o.ID)); err != nil {
			return fmt.Errorf("outbound message-id index: %w", err)
		}
	}
	switch {
	case !o.Pending():
		return t.b(bOutboundRaw).Delete(u64(o.ID))
	case raw != nil:
		return t.b(bOutboundRaw).Put(u64(o.ID), raw)
	}
	return nil
}

// Outbound returns outbound email id, or ErrNotFound.
func (t *Tx) Outbound(id uint64) (*store.OutboundEmail, error) {
	var o store.OutboundEmail
	return &o, get(t.b(bOutbound), id, &o, "outbound email")
}

// OutboundByMessageID finds an outbound email by its Message-ID (without <>).
func (t *Tx) OutboundByMessageID(msgID string) (*store.OutboundEmail, error) {
	v := t.b(bOutboundMsgID).Get([]byte(msgID))
	if v == nil {
		return nil, fmt.Errorf("outbound message-id %q: %w", msgID, store.ErrNotFound)
	}
	return t.Outbound(decodeU64(v))
}

// OutboundRaw returns a copy of a pending outbound email's raw message.
func (t *Tx) OutboundRaw(id uint64) ([]byte, error) {
	v := t.b(bOutboundRaw).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("outbound raw %d: %w", id, store.ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// DueOutbound returns the ids of up to max pending emails due at or before
// now, earliest first.
func (t *Tx) DueOutbound(now time.Time, max int) ([]uint64, error) {
	var out []uint64
	limit := uint64(now.UnixNano())
	c := t.b(bOutboundDue).Cursor()
	for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[:8]) > limit {
			break
		}
		out = append(out, decodeU64(k[8:16]))
	}
	return out, nil
}

// NextOutbound returns when the earliest pending email is due.
func (t *Tx) NextOutbound() (time.Time, bool, error) {
	k, _ := t.b(bOutboundDue).Cursor().First()
	if k == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC(), true, nil
}

// OutboundPending counts pending emails (a scan of the due index: for
// metrics and tests).
func (t *Tx) OutboundPending() (int, error) { return t.b(bOutboundDue).KeyN(), nil }

// PruneOutbound deletes up to max final outbound emails that became final
// before `before`; pending emails are never pruned. It returns how many it
// deleted.
func (t *Tx) PruneOutbound(before time.Time, max int) (int, error) {
	var del []store.OutboundEmail
	err := t.b(bOutbound).ForEach(func(_, v []byte) error {
		if len(del) >= max {
			return nil
		}
		var o store.OutboundEmail
		if err := jsonUnmarshal(v, &o); err != nil {
			return err
		}
		if !o.Pending() && !o.DoneAt.IsZero() && o.DoneAt.Before(before) {
			del = append(del, o)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, o := range del {
		if err := t.b(bOutbound).Delete(u64(o.ID)); err != nil {
			return 0, fmt.Errorf("prune outbound: %w", err)
		}
		if o.MessageID != "" {
			if v := t.b(bOutboundMsgID).Get([]byte(o.MessageID)); v != nil && decodeU64(v) == o.ID {
				if err := t.b(bOutboundMsgID).Delete([]byte(o.MessageID)); err != nil {
					return 0, fmt.Errorf("prune outbound: %w", err)
				}
			}
		}
		if err := t.b(bOutboundRaw).Delete(u64(o.ID)); err != nil {
			return 0, fmt.Errorf("prune outbound: %w", err)
		}
	}
	return len(del), nil
}

// SetMailLogRaw replaces the raw message of mail log entry id (the queue
// stores the DKIM-signed message once it is signed). An entry already
// pruned is left alone: ErrNotFound.
func (t *Tx) SetMailLogRaw(id uint64, raw []byte) error {
	e, err := t.MailLog(id)
	if err != nil {
		return err
	}
	e.Size = len(raw)
	if err := t.putMailLog(id, e); err != nil {
		return err
	}
	if err := t.addMailLogBytes(int64(len(raw) - len(t.b(bRaw).Get(u64(id))))); err != nil {
		return err
	}
	return t.b(bRaw).Put(u64(id), raw)
}
