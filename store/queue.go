package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Outbound email states. An email is pending while it is OutboundQueued or
// OutboundDeferred (it sits in the due index); the other states are final,
// except that a later DSN may still turn a sent email bounced.
const (
	OutboundQueued    = "queued"    // not attempted yet, or the last attempt was cut short
	OutboundDeferred  = "deferred"  // the last attempt failed temporarily (4xx, network)
	OutboundSent      = "sent"      // the upstream answered 250 to the end of DATA
	OutboundBounced   = "bounced"   // 5xx, queue lifetime over, or a DSN reported failure
	OutboundCancelled = "cancelled" // every message it carries was seen in the app before it left
)

// OutboundEmail is one email of the outbound queue (SPEC §5), one recipient
// each. The record is written by the queue only; it stays after the email
// is final (without its raw message) so a late DSN still finds it, and is
// pruned with the mail log retention once final.
type OutboundEmail struct {
	// ID is the queue id: the bounce token and the email_deliveries link
	// name it. Assigned by NewOutboundID, never reused.
	ID uint64 `json:"id"`
	// MailLogID is the outbound mail log entry of this email (0: none).
	// That entry may be pruned before the email is final; the queue
	// tolerates its absence.
	MailLogID uint64 `json:"maillog_id"`
	// Recipient is the RCPT TO address.
	Recipient string `json:"recipient"`
	// EnvelopeFrom is the MAIL FROM address: the per-email VERP bounce
	// address bounce+TOKEN@<first domain>.
	EnvelopeFrom string `json:"envelope_from"`
	// MessageID is the email's Message-ID without <> (also indexed, for
	// DSNs that only quote the returned message).
	MessageID string `json:"message_id"`
	// ConversationID is the conversation the email is about.
	ConversationID uint64 `json:"conversation_id"`
	// State is one of the Outbound* constants.
	State string `json:"state"`
	// Signed says whether the stored raw message carries its DKIM
	// signatures yet (they are added once, before the first attempt).
	Signed bool `json:"signed"`
	// QueuedAt is when the email was enqueued; the queue lifetime counts
	// from here.
	QueuedAt time.Time `json:"queued_at"`
	// Attempts counts delivery attempts started. It is incremented and
	// committed BEFORE each dial, so a crash mid-attempt is counted.
	Attempts int `json:"attempts"`
	// LastAttempt is when the last attempt started (zero: none yet).
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// NextAttempt is when the email is due next while pending. An attempt
	// in progress has already moved it to the retry time, so an attempt
	// cut short by a crash is retried on the schedule, not at once.
	NextAttempt time.Time `json:"next_attempt"`
	// LastResult is the last attempt's outcome in words: the upstream's
	// reply ("451 4.7.1 try later") or the network error.
	LastResult string `json:"last_result"`
	// DoneAt is when the email became final (zero while pending).
	DoneAt time.Time `json:"done_at,omitzero"`
}

// Pending reports whether the email still waits for delivery.
func (o *OutboundEmail) Pending() bool {
	return o.State == OutboundQueued || o.State == OutboundDeferred
}

func dueKey(at time.Time, id uint64) []byte { return pair(uint64(at.UnixNano()), id) }

// NewOutboundID allocates the id of a new outbound email.
func (t *Tx) NewOutboundID() (uint64, error) { return nextID(t.b(bOutbound)) }

// PutOutbound stores o, keeping the due index (pending emails by
// NextAttempt) and the Message-ID index in step. raw, when not nil,
// replaces the stored raw message; a final email's raw message is deleted
// (the mail log keeps its own copy for the log retention).
func (t *Tx) PutOutbound(o *OutboundEmail, raw []byte) error {
	if o.ID == 0 {
		return errors.New("put outbound: no id")
	}
	if old, err := t.Outbound(o.ID); err == nil && old.Pending() {
		if err := t.b(bOutboundDue).Delete(dueKey(old.NextAttempt, o.ID)); err != nil {
			return fmt.Errorf("outbound due index: %w", err)
		}
	} else if err != nil && !errors.Is(err, ErrNotFound) {
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
func (t *Tx) Outbound(id uint64) (*OutboundEmail, error) {
	var o OutboundEmail
	return &o, get(t.b(bOutbound), id, &o, "outbound email")
}

// OutboundByMessageID finds an outbound email by its Message-ID (without <>).
func (t *Tx) OutboundByMessageID(msgID string) (*OutboundEmail, error) {
	v := t.b(bOutboundMsgID).Get([]byte(msgID))
	if v == nil {
		return nil, fmt.Errorf("outbound message-id %q: %w", msgID, ErrNotFound)
	}
	return t.Outbound(decodeU64(v))
}

// OutboundRaw returns a copy of a pending outbound email's raw message.
func (t *Tx) OutboundRaw(id uint64) ([]byte, error) {
	v := t.b(bOutboundRaw).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("outbound raw %d: %w", id, ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// DueOutbound returns the ids of up to max pending emails due at or before
// now, earliest first.
func (t *Tx) DueOutbound(now time.Time, max int) []uint64 {
	var out []uint64
	limit := uint64(now.UnixNano())
	c := t.b(bOutboundDue).Cursor()
	for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[:8]) > limit {
			break
		}
		out = append(out, decodeU64(k[8:16]))
	}
	return out
}

// NextOutbound returns when the earliest pending email is due.
func (t *Tx) NextOutbound() (time.Time, bool) {
	k, _ := t.b(bOutboundDue).Cursor().First()
	if k == nil {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC(), true
}

// OutboundPending counts pending emails (a scan of the due index: for
// metrics and tests).
func (t *Tx) OutboundPending() int { return t.b(bOutboundDue).Stats().KeyN }

// PruneOutbound deletes up to max final outbound emails that became final
// before `before`; pending emails are never pruned. It returns how many it
// deleted.
func (t *Tx) PruneOutbound(before time.Time, max int) (int, error) {
	var del []OutboundEmail
	err := t.b(bOutbound).ForEach(func(_, v []byte) error {
		if len(del) >= max {
			return nil
		}
		var o OutboundEmail
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
