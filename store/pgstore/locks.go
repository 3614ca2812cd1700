package pgstore

import "hash/fnv"

// TryLock takes the transaction-scoped advisory lock named key, if no
// other transaction holds it (pg_try_advisory_xact_lock).
func (t *Tx) TryLock(key string) (bool, error) {
	h := fnv.New64a()
	h.Write([]byte("deskgate:" + key))
	var ok bool
	err := t.queryRow(`SELECT pg_try_advisory_xact_lock($1)`, int64(h.Sum64())).Scan(&ok)
	return ok, err
}
