package pgstore

import (
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// SetTimer makes (r, conv)'s timer due at due, replacing a later one.
func (t *Tx) SetTimer(r store.Recipient, conv uint64, due time.Time) error {
	rt, rid := rkey(r)
	t.queueTimer(timerKey{int64(conv), rt, rid}, timerOp{'s', ns(due)})
	return nil
}

// ReplaceTimer sets (r, conv)'s timer to due, whatever it was.
func (t *Tx) ReplaceTimer(r store.Recipient, conv uint64, due time.Time) error {
	rt, rid := rkey(r)
	t.queueTimer(timerKey{int64(conv), rt, rid}, timerOp{'r', ns(due)})
	return nil
}

// TimerDue returns when (r, conv)'s timer is due, if there is one. In a
// write transaction the timer is locked, waiting for a transaction that
// holds it (a batch firing it on this node or another) to end, and read
// as that one left it: a timer fired one at a time (after its batch
// failed) is then never fired by two transactions.
func (t *Tx) TimerDue(r store.Recipient, conv uint64) (time.Time, bool, error) {
	rt, rid := rkey(r)
	k := timerKey{int64(conv), rt, rid}
	if due, ok := t.due[k]; ok {
		return fromNS(due), due != 0, nil
	}
	lock := ""
	if t.write {
		lock = " FOR UPDATE"
	}
	var due int64
	err := t.queryRow(`SELECT due_ns FROM timers WHERE conversation_id = $1 AND rtype = $2 AND rid = $3`+lock,
		int64(conv), rt, rid).Scan(&due)
	if isNoRows(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	if t.write {
		t.knowDue(k, due)
	}
	return fromNS(due), true, nil
}

// DeleteTimer removes (r, conv)'s timer, if any.
func (t *Tx) DeleteTimer(r store.Recipient, conv uint64) error {
	rt, rid := rkey(r)
	t.queueTimer(timerKey{int64(conv), rt, rid}, timerOp{'d', 0})
	return nil
}

// DueTimers returns up to max timers due at or before now, earliest first.
// In a write transaction they are locked, skipping those another node's
// transaction holds: each timer fires once across nodes (SPEC §8), and a
// node that dies mid-transaction releases its locks with its connection.
func (t *Tx) DueTimers(now time.Time, max int) ([]store.Timer, error) {
	t.firing = t.firing || t.write
	rows, err := t.query(`SELECT conversation_id, rtype, rid, due_ns FROM timers
		WHERE due_ns <= $1 ORDER BY due_ns LIMIT $2`+t.lockSuffix(), ns(now), max)
	if err != nil {
		return nil, err
	}
	var keys []timerKey
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Timer, error) {
		var conv, rid, due int64
		var rt string
		if err := row.Scan(&conv, &rt, &rid, &due); err != nil {
			return store.Timer{}, err
		}
		if t.write { // locked: it stays as read until this transaction changes it
			t.knowDue(timerKey{conv, rt, rid}, due)
			keys = append(keys, timerKey{conv, rt, rid})
		}
		return store.Timer{Due: fromNS(due), Recipient: recipientOf(rt, rid), Conversation: uint64(conv)}, nil
	})
	if err == nil {
		t.startFiring(keys)
	}
	return out, err
}

// NextTimer returns the earliest due time of any timer.
func (t *Tx) NextTimer() (time.Time, bool, error) {
	var due *int64
	if err := t.queryRow(`SELECT min(due_ns) FROM timers`).Scan(&due); err != nil || due == nil {
		return time.Time{}, false, err
	}
	return fromNS(*due), true, nil
}

// TimerCount returns how many timers are pending.
func (t *Tx) TimerCount() (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM timers`).Scan(&n)
	return n, err
}

// DropStaleTimer has nothing to do here: the timers table is its own due
// order, so no entry can disagree with it.
func (t *Tx) DropStaleTimer(store.Timer) (bool, error) { return false, nil }

// knowDue remembers that (k)'s timer is due at due (0: none), as locked.
func (t *Tx) knowDue(k timerKey, due int64) {
	if t.due == nil {
		t.due = map[timerKey]int64{}
	}
	t.due[k] = due
}
