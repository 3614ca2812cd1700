package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The mail log's space bound. Retention (DESKGATE_LOG_RETENTION) bounds
// the mail log in time; a stranger sending many mails or refusals can
// still fill the disk within it. So the store keeps the bytes the mail
// log takes (entries, raw messages and index keys) in meta/"maillog_bytes",
// and, with a limit set (SetMailLogLimit), every new entry first evicts the
// oldest ones while the log is over it. Evictions are reported after the
// commit, for the metric.

var keyMailLogBytes = []byte("maillog_bytes")

// mailLogKeyBytes is what the keys of one entry take: maillog id, the time
// index key, the raw id.
const mailLogKeyBytes = 8 + 16 + 8

// evictPerAdd bounds the evictions one new entry makes (a large raw
// message may push out many small entries; the rest go with the next).
const evictPerAdd = 64

// SetMailLogLimit bounds the mail log to maxBytes (0: no bound) and has
// onEvict told, after each commit that evicted, how many entries went.
// Call it before the store is shared.
func (s *Store) SetMailLogLimit(maxBytes int64, onEvict func(n int)) {
	s.mailLogMax, s.onEvict = maxBytes, onEvict
}

// MailLogBytes returns the space the mail log takes, in bytes.
func (t *Tx) MailLogBytes() int64 {
	v := t.b(bMeta).Get(keyMailLogBytes)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// addMailLogBytes moves the counter by delta.
func (t *Tx) addMailLogBytes(delta int64) error {
	n := max(t.MailLogBytes()+delta, 0)
	return t.b(bMeta).Put(keyMailLogBytes, u64(uint64(n)))
}

// countMailLogBytes sets the counter from the buckets (a store from before
// it existed).
func (t *Tx) countMailLogBytes() error {
	if t.b(bMeta).Get(keyMailLogBytes) != nil {
		return nil
	}
	var n int64
	c := t.b(bMailLog).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		n += int64(len(v)+mailLogKeyBytes) + int64(len(t.b(bRaw).Get(k)))
	}
	return t.b(bMeta).Put(keyMailLogBytes, u64(uint64(n)))
}

// deleteMailLog deletes the entry with time key k (and its raw message)
// and returns the bytes it took.
func (t *Tx) deleteMailLog(k []byte) (int64, error) {
	id := k[8:16]
	size := int64(len(t.b(bMailLog).Get(id))+len(t.b(bRaw).Get(id))) + mailLogKeyBytes
	for _, name := range [][]byte{bMailLog, bRaw} {
		if err := t.b(name).Delete(id); err != nil {
			return 0, fmt.Errorf("delete %s: %w", name, err)
		}
	}
	if err := t.b(bMailLogTime).Delete(k); err != nil {
		return 0, fmt.Errorf("delete maillog time: %w", err)
	}
	return size, nil
}

// EvictMailLog deletes the oldest entries while the mail log takes more
// than maxBytes, at most max of them; it returns how many it deleted.
func (t *Tx) EvictMailLog(maxBytes int64, max int) (int, error) {
	total := t.MailLogBytes()
	if total <= maxBytes {
		return 0, nil
	}
	var keys [][]byte
	c := t.b(bMailLogTime).Cursor()
	for k, _ := c.First(); k != nil && len(keys) < max; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	n := 0
	var freed int64
	for _, k := range keys {
		if total-freed <= maxBytes {
			break
		}
		size, err := t.deleteMailLog(k)
		if err != nil {
			return n, err
		}
		freed += size
		n++
	}
	if err := t.addMailLogBytes(-freed); err != nil {
		return n, err
	}
	if n > 0 && t.s != nil && t.s.onEvict != nil {
		onEvict := t.s.onEvict
		t.tx.OnCommit(func() { onEvict(n) })
	}
	return n, nil
}

// enforceMailLogLimit evicts for one new entry of size bytes.
func (t *Tx) enforceMailLogLimit(size int64) error {
	if t.s == nil || t.s.mailLogMax <= 0 {
		return nil
	}
	_, err := t.EvictMailLog(max(t.s.mailLogMax-size, 0), evictPerAdd)
	return err
}
