package boltstore

import (
	"slices"
	"testing"

	"github.com/deskgate/deskgate/store"
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

// TestConversationIndexesAreBuiltForAnOlderFile: a file written before
// the conversations' item and activity indexes existed gets them built at
// open, so an item's conversations, and conversations by activity, are
// found there as in a new file.
func TestConversationIndexesAreBuiltForAnOlderFile(t *testing.T) {
	s, dir := openTemp(t)
	if err := s.update(func(tx *Tx) error {
		for _, item := range []uint64{3, 5, 3} {
			if err := tx.CreateConversation(&store.Conversation{ItemID: item, Kind: store.KindInternal}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// As an older build left it: no index bucket.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bConvByActivity); err != nil {
			return err
		}
		return tx.DeleteBucket(bConvByItem)
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.view(func(tx *Tx) error {
		var ids []uint64
		for _, c := range must(tx.ItemConversations(3)) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []uint64{1, 3}) {
			t.Errorf("item 3's conversations after reopening an older file: %v, want [1 3]", ids)
		}
		ids = nil
		for _, c := range must(tx.ConversationsByActivity(nil, 10)) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []uint64{3, 2, 1}) {
			t.Errorf("conversations by activity after reopening an older file: %v, want [3 2 1]", ids)
		}
		return nil
	})
}
