package pgstore

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// maxPrefetch bounds the keys of each kind one read-ahead asks for (a
// References header can name hundreds).
const maxPrefetch = 32

// PrefetchInbound reads the Message-ID index entries and the customers r
// names, and draws the ids it asks for, in one statement
// (store.InboundPrefetcher): the entries go where MessageRef remembers
// what it read, the customers where CustomerByEmail takes them from,
// each once (a later read of the same address asks the database again),
// the ids where ReserveIDs puts its own. Keys the transaction knows
// already are not asked for.
func (t *Tx) PrefetchInbound(r store.InboundReads) error {
	if !t.write {
		return nil
	}
	var ids, addrs []string
	for _, id := range r.MessageIDs {
		if _, known := t.refs[id]; id != "" && !known && !slices.Contains(ids, id) && len(ids) < maxPrefetch {
			ids = append(ids, id)
		}
	}
	for _, e := range r.Customers {
		e = store.NormalizeEmail(e)
		if _, known := t.custAhead[e]; e != "" && !known && !slices.Contains(addrs, e) && len(addrs) < maxPrefetch {
			addrs = append(addrs, e)
		}
	}
	need := t.idsNeeded(r.NewIDs)
	if len(ids) == 0 && len(addrs) == 0 && need == [4]int{} {
		return nil
	}
	// The id branches asked for only (a branch costs its planning).
	sql := `SELECT 'r', email_id, data, 0::bigint FROM message_refs WHERE email_id = ANY($1)
		UNION ALL SELECT 'c', email, data, 0 FROM customers WHERE email = ANY($2)`
	args := []any{ids, addrs}
	for i, table := range reservable {
		if need[i] > 0 {
			args = append(args, need[i])
			sql += fmt.Sprintf(`
		UNION ALL SELECT 'i', '%s', NULL, nextval('%s_id_seq') FROM generate_series(1, $%d)`, table, table, len(args))
		}
	}
	rows, err := t.query(sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	refs := map[string]*store.MessageRef{}
	custs := map[string][]byte{}
	for rows.Next() {
		var what, key string
		var data []byte
		var id int64
		if err := rows.Scan(&what, &key, &data, &id); err != nil {
			return err
		}
		switch what {
		case "c":
			custs[key] = slices.Clone(data)
		case "i":
			t.drew(key, id)
		default:
			var ref store.MessageRef
			if err := json.Unmarshal(data, &ref); err != nil {
				return fmt.Errorf("decode record: %w", err)
			}
			refs[key] = &ref
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		t.memoRef(id, refs[id]) // nil: not indexed
	}
	if t.custAhead == nil {
		t.custAhead = map[string][]byte{}
	}
	for _, e := range addrs {
		t.custAhead[e] = custs[e] // nil: no such customer
	}
	return nil
}

// customerAhead answers CustomerByEmail from the read-ahead, once: found
// reports whether it had email.
func (t *Tx) customerAhead(email string) (c *store.Customer, found bool, err error) {
	doc, ok := t.custAhead[email]
	if !ok {
		return nil, false, nil
	}
	delete(t.custAhead, email)
	if doc == nil {
		if t.noCustomer == nil {
			t.noCustomer = map[string]bool{}
		}
		t.noCustomer[email] = true
		return nil, true, fmt.Errorf("customer %s: %w", email, store.ErrNotFound)
	}
	c = &store.Customer{}
	if err := json.Unmarshal(doc, c); err != nil {
		return nil, true, fmt.Errorf("decode record: %w", err)
	}
	return c, true, nil
}
