package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// pairKey is conversation first, so the timers one message starts (one per
// recipient) are neighbours in the B+tree.
func pairKey(r store.Recipient, conv uint64) []byte { return append(u64(conv), recipientKey(r)...) }

func timerKey(due time.Time, r store.Recipient, conv uint64) []byte {
	return append(u64(uint64(due.UnixNano())), pairKey(r, conv)...)
}

// SetTimer makes (r, conv)'s timer due at due, replacing a later one; an
// earlier existing timer is kept. It reports whether it changed anything.
func (t *Tx) SetTimer(r store.Recipient, conv uint64, due time.Time) error {
	if cur, ok := t.timerDue(r, conv); ok {
		if !due.Before(cur) {
			return nil
		}
		if err := t.b(bTimers).Delete(timerKey(cur, r, conv)); err != nil {
			return fmt.Errorf("replace timer: %w", err)
		}
	}
	return t.putTimer(r, conv, due)
}

// ReplaceTimer sets (r, conv)'s timer to due, whatever it was.
func (t *Tx) ReplaceTimer(r store.Recipient, conv uint64, due time.Time) error {
	if err := t.DeleteTimer(r, conv); err != nil {
		return err
	}
	return t.putTimer(r, conv, due)
}

func (t *Tx) putTimer(r store.Recipient, conv uint64, due time.Time) error {
	b := t.b(bTimers)
	b.SetFillPercent(appendFill) // keys start with the due time: mostly appended
	if err := b.Put(timerKey(due, r, conv), nil); err != nil {
		return fmt.Errorf("put timer: %w", err)
	}
	return t.b(bTimerByPair).Put(pairKey(r, conv), u64(uint64(due.UnixNano())))
}

// TimerDue returns when (r, conv)'s timer is due, if there is one.
func (t *Tx) TimerDue(r store.Recipient, conv uint64) (time.Time, bool, error) {
	due, ok := t.timerDue(r, conv)
	return due, ok, nil
}

func (t *Tx) timerDue(r store.Recipient, conv uint64) (time.Time, bool) {
	v := t.b(bTimerByPair).Get(pairKey(r, conv))
	if v == nil {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), true
}

// DeleteTimer removes (r, conv)'s timer, if any.
func (t *Tx) DeleteTimer(r store.Recipient, conv uint64) error {
	cur, ok := t.timerDue(r, conv)
	if !ok {
		return nil
	}
	if err := t.b(bTimers).Delete(timerKey(cur, r, conv)); err != nil {
		return fmt.Errorf("delete timer: %w", err)
	}
	return t.b(bTimerByPair).Delete(pairKey(r, conv))
}

// DueTimers returns up to max timers due at or before now, earliest first.
func (t *Tx) DueTimers(now time.Time, max int) ([]store.Timer, error) {
	var out []store.Timer
	limit := uint64(now.UnixNano())
	c := t.b(bTimers).Cursor()
	for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
		due := binary.BigEndian.Uint64(k[:8])
		if due > limit {
			break
		}
		out = append(out, store.Timer{Due: time.Unix(0, int64(due)).UTC(), Conversation: decodeU64(k[8:16]), Recipient: recipientFromKey(k[16:25])})
	}
	return out, nil
}

// NextTimer returns the earliest due time of any timer.
func (t *Tx) NextTimer() (time.Time, bool, error) {
	k, _ := t.b(bTimers).Cursor().First()
	if k == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC(), true, nil
}

// TimerCount returns how many timers are pending (a scan: for metrics and
// tests, not hot paths).
func (t *Tx) TimerCount() (int, error) {
	n := 0
	c := t.b(bTimers).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n, nil
}

// DropStaleTimer removes timer tm's entry from the due-time order when
// (tm.Recipient, tm.Conversation)'s timer is no longer due at tm.Due (it
// moved or was removed), so a damaged index cannot keep a timer "due"
// forever. It reports whether it removed anything.
func (t *Tx) DropStaleTimer(tm store.Timer) (bool, error) {
	if cur, ok := t.timerDue(tm.Recipient, tm.Conversation); ok && cur.Equal(tm.Due) {
		return false, nil
	}
	key := timerKey(tm.Due, tm.Recipient, tm.Conversation)
	c := t.b(bTimers).Cursor()
	if k, _ := c.Seek(key); !bytes.Equal(k, key) { // values are empty: Get cannot tell
		return false, nil
	}
	if err := c.Delete(); err != nil {
		return false, fmt.Errorf("drop stale timer: %w", err)
	}
	return true, nil
}
