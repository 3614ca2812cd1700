package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// PutBouncedAddress records a hard bounce.
func (t *Tx) PutBouncedAddress(b store.BouncedAddress) error {
	b.Address = store.NormalizeEmail(b.Address)
	t.forgetBounced(b.Address)
	doc, err := mustJSON(b)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO bounced_addresses (address, data) VALUES ($1, $2)
		ON CONFLICT (address) DO UPDATE SET data = EXCLUDED.data`, b.Address, doc)
	return err
}

// BouncedAddress returns the hard-bounce record of addr, if any.
func (t *Tx) BouncedAddress(addr string) (store.BouncedAddress, bool, error) {
	if b, ok, known, err := t.batchBounced(addr); known || err != nil {
		return b, ok && err == nil, err
	}
	var b store.BouncedAddress
	ok, err := t.getJSON(&b, `SELECT data FROM bounced_addresses WHERE address = $1`, store.NormalizeEmail(addr))
	return b, ok && err == nil, err
}

// RecordOutboundEmail notes that an email about conv was queued to addr at at.
func (t *Tx) RecordOutboundEmail(addr string, conv uint64, at time.Time) error {
	if ns(at) < t.capPruned {
		t.capPruned = 0
	}
	r := capRow{store.NormalizeEmail(addr), int64(conv), ns(at)}
	t.queueCap(r)
	t.recordCap(r)
	return nil
}

// CountOutboundEmails counts the emails about conv queued to addr at or
// after since, and returns the time of the oldest of them.
func (t *Tx) CountOutboundEmails(addr string, conv uint64, since time.Time) (int, time.Time, error) {
	var n int
	var oldest *int64
	addr = store.NormalizeEmail(addr)
	if n, oldest, ok, err := t.batchCount(addr, conv, max(ns(since), 0)); ok || err != nil {
		if err != nil || n == 0 {
			return n, time.Time{}, err
		}
		return n, time.Unix(0, oldest), nil
	}
	sql, args := `SELECT count(*), min(at_ns) FROM outbound_cap
		WHERE address = $1 AND conversation_id = $2 AND at_ns >= $3`, []any{addr, int64(conv), max(ns(since), 0)}
	var apart map[string]bool
	if !t.pending.capsOf(addr) { // the read may carry other addresses' entries
		apart = map[string]bool{"outbound_cap": true}
	}
	sql, args, err := t.withPendingApart(sql, args, apart)
	if err != nil {
		return 0, time.Time{}, err
	}
	err = t.tx.QueryRow(t.ctx, sql, args...).Scan(&n, &oldest)
	if err != nil || oldest == nil {
		return n, time.Time{}, err
	}
	return n, time.Unix(0, *oldest), nil
}

// PruneOutboundEmails deletes up to max ledger entries older than before.
// Firing a batch of timers prunes once per email: a transaction that
// already found nothing more before as late a time asks again only after
// recording an entry older than that.
func (t *Tx) PruneOutboundEmails(before time.Time, max int) (int, error) {
	if t.capPruned != 0 && ns(before) <= t.capPruned {
		return 0, nil
	}
	tag, err := t.exec(`DELETE FROM outbound_cap WHERE id IN (
		SELECT id FROM outbound_cap WHERE at_ns < $1 ORDER BY at_ns, id LIMIT $2)`, ns(before), max)
	if err != nil {
		return 0, fmt.Errorf("prune outbound cap: %w", err)
	}
	if tag.RowsAffected() > 0 {
		t.prunedCaps(ns(before))
	}
	if n := int(tag.RowsAffected()); n < max {
		t.capPruned = ns(before) // nothing older is left
	}
	return int(tag.RowsAffected()), nil
}
