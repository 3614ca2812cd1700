package boltstore

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database file while the
// store keeps serving: bbolt's Tx.WriteTo inside one read transaction
// (writers go on meanwhile; the copy is the state at its start). begin is
// told the copy's size before any byte and returns where to write it.
func (s *Store) Backup(begin func(size int64) (io.Writer, error)) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		w, err := begin(tx.Size())
		if err != nil {
			return err
		}
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
