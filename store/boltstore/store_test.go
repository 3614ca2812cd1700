package boltstore

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestSchemaVersionIsChecked(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("schema"), []byte("99")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir); err == nil {
		t.Fatal("opened a store of an unknown schema version")
	}
}

// must returns v, failing the test (by panic) on a read error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// view runs fn in a read-only transaction on the concrete Tx.
func (s *Store) view(fn func(*Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}
