package boltstore

import bolt "go.etcd.io/bbolt"

// bucket is a bbolt bucket as a Tx's methods reach it: t.b(name) is the
// only way to a bucket, and every write through it (Put, Delete,
// NextSequence, SetSequence, a cursor's Delete) is counted in its Tx. The
// group committer reads that count to tell a function that refused before
// writing (its error is its caller's alone, the group commits without it)
// from one that failed half-way (the group is rolled back). Because the
// count is kept here and not in each store method, a new write method
// cannot forget it. The raw *bolt.Bucket is deliberately not exposed.
type bucket struct {
	bb *bolt.Bucket
	t  *Tx
}

// b returns the bucket name of t's transaction (a value: no allocation).
func (t *Tx) b(name []byte) bucket { return bucket{bb: t.tx.Bucket(name), t: t} }

func (b bucket) wrote() { b.t.writes++ }

// Get returns the value of key (nil when absent); valid until the Tx ends.
func (b bucket) Get(key []byte) []byte { return b.bb.Get(key) }

// Put stores value under key.
func (b bucket) Put(key, value []byte) error {
	b.wrote()
	return b.bb.Put(key, value)
}

// Delete removes key.
func (b bucket) Delete(key []byte) error {
	b.wrote()
	return b.bb.Delete(key)
}

// NextSequence allocates the bucket's next sequence number.
func (b bucket) NextSequence() (uint64, error) {
	b.wrote()
	return b.bb.NextSequence()
}

// Sequence returns the bucket's sequence number.
func (b bucket) Sequence() uint64 { return b.bb.Sequence() }

// SetSequence sets the bucket's sequence number.
func (b bucket) SetSequence(v uint64) error {
	b.wrote()
	return b.bb.SetSequence(v)
}

// ForEach calls fn for each key and value, in key order.
func (b bucket) ForEach(fn func(k, v []byte) error) error { return b.bb.ForEach(fn) }

// KeyN counts the bucket's keys.
func (b bucket) KeyN() int { return b.bb.Stats().KeyN }

// Cursor returns a cursor on the bucket.
func (b bucket) Cursor() cursor { return cursor{c: b.bb.Cursor(), b: b} }

// cursor is a bbolt cursor whose Delete is counted like the bucket's writes.
type cursor struct {
	c *bolt.Cursor
	b bucket
}

func (c cursor) First() ([]byte, []byte)           { return c.c.First() }
func (c cursor) Last() ([]byte, []byte)            { return c.c.Last() }
func (c cursor) Next() ([]byte, []byte)            { return c.c.Next() }
func (c cursor) Prev() ([]byte, []byte)            { return c.c.Prev() }
func (c cursor) Seek(seek []byte) ([]byte, []byte) { return c.c.Seek(seek) }

// Delete removes the key the cursor is on.
func (c cursor) Delete() error {
	c.b.wrote()
	return c.c.Delete()
}

// SetFillPercent sets how full bbolt fills a page before it splits it
// (appendFill for keys that are mostly appended).
func (b bucket) SetFillPercent(f float64) { b.bb.FillPercent = f }
