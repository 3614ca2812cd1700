package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// PutBouncedAddress records a hard bounce.
func (t *Tx) PutBouncedAddress(b store.BouncedAddress) error {
	b.Address = store.NormalizeEmail(b.Address)
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
	var b store.BouncedAddress
	ok, err := t.getJSON(&b, `SELECT data FROM bounced_addresses WHERE address = $1`, store.NormalizeEmail(addr))
	return b, ok && err == nil, err
}

// RecordOutboundEmail notes that an email about conv was queued to addr at at.
func (t *Tx) RecordOutboundEmail(addr string, conv uint64, at time.Time) error {
	t.queueCap(capRow{store.NormalizeEmail(addr), int64(conv), ns(at)})
	return nil
}

// CountOutboundEmails counts the emails about conv queued to addr at or
// after since, and returns the time of the oldest of them.
func (t *Tx) CountOutboundEmails(addr string, conv uint64, since time.Time) (int, time.Time, error) {
	var n int
	var oldest *int64
	err := t.queryRow(`SELECT count(*), min(at_ns) FROM outbound_cap
		WHERE address = $1 AND conversation_id = $2 AND at_ns >= $3`,
		store.NormalizeEmail(addr), int64(conv), max(ns(since), 0)).Scan(&n, &oldest)
	if err != nil || oldest == nil {
		return n, time.Time{}, err
	}
	return n, time.Unix(0, *oldest), nil
}

// PruneOutboundEmails deletes up to max ledger entries older than before.
func (t *Tx) PruneOutboundEmails(before time.Time, max int) (int, error) {
	tag, err := t.exec(`DELETE FROM outbound_cap WHERE id IN (
		SELECT id FROM outbound_cap WHERE at_ns < $1 ORDER BY at_ns, id LIMIT $2)`, ns(before), max)
	if err != nil {
		return 0, fmt.Errorf("prune outbound cap: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
