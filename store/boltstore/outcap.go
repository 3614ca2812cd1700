package boltstore

import (
	"bytes"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// The outbound cap's ledger: one entry per email queued to an address about a
// conversation, so the domain can refuse an email once an address has had too many
// about one conversation within a window (SPEC §6: no configuration may produce an
// unbounded exchange). It survives restarts, unlike an in-memory counter.
//
//	outbound_cap       address 0x00 conv id | unix nanos | seq -> ""
//	outbound_cap_time  unix nanos | seq -> outbound_cap key (for pruning oldest first)

// outCapPrefix is the key prefix of one (address, conversation) pair.
func outCapPrefix(addr string, conv uint64) []byte {
	k := append([]byte(store.NormalizeEmail(addr)), 0)
	return append(k, u64(conv)...)
}

// RecordOutboundEmail notes that an email about conv was queued to addr at at.
func (t *Tx) RecordOutboundEmail(addr string, conv uint64, at time.Time) error {
	b := t.b(bOutCap)
	seq, err := nextID(b)
	if err != nil {
		return fmt.Errorf("outbound cap: %w", err)
	}
	suffix := pair(uint64(at.UnixNano()), seq)
	key := append(outCapPrefix(addr, conv), suffix...)
	if err := b.Put(key, nil); err != nil {
		return fmt.Errorf("outbound cap: %w", err)
	}
	if err := t.b(bOutCapTime).Put(suffix, key); err != nil {
		return fmt.Errorf("outbound cap time: %w", err)
	}
	return nil
}

// CountOutboundEmails counts the emails about conv queued to addr at or after since,
// and returns the time of the oldest of them (zero when none).
func (t *Tx) CountOutboundEmails(addr string, conv uint64, since time.Time) (int, time.Time, error) {
	prefix := outCapPrefix(addr, conv)
	c := t.b(bOutCap).Cursor()
	n, oldest := 0, time.Time{}
	start := append(append([]byte(nil), prefix...), u64(uint64(max(since.UnixNano(), 0)))...)
	for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+16 {
			continue
		}
		if n == 0 {
			oldest = time.Unix(0, int64(decodeU64(k[len(prefix):])))
		}
		n++
	}
	return n, oldest, nil
}

// PruneOutboundEmails deletes up to max ledger entries older than before, oldest
// first, and returns how many it deleted. The domain calls it with a small max on
// every email it queues, so the ledger stays bounded without a scan.
func (t *Tx) PruneOutboundEmails(before time.Time, max int) (int, error) {
	idx, data := t.b(bOutCapTime), t.b(bOutCap)
	c := idx.Cursor()
	cutoff := uint64(before.UnixNano())
	n := 0
	for k, v := c.First(); k != nil && n < max; k, v = c.First() {
		if len(k) != 16 || decodeU64(k) >= cutoff {
			break
		}
		if err := data.Delete(v); err != nil {
			return n, fmt.Errorf("prune outbound cap: %w", err)
		}
		if err := c.Delete(); err != nil {
			return n, fmt.Errorf("prune outbound cap time: %w", err)
		}
		n++
	}
	return n, nil
}
