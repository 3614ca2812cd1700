package storetest_test

import (
	"context"
	"testing"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/store/storetest"
)

func TestBolt(t *testing.T) {
	storetest.Run(t, storetest.Backend{Name: store.BackendBolt, Open: func(t *testing.T) (store.Store, func() store.Store) {
		dir := t.TempDir()
		open := func() store.Store {
			st, err := boltstore.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
		st := open()
		return st, func() store.Store { st.Close(); st = open(); return st }
	}})
}

func TestPostgres(t *testing.T) {
	pgtest.Require(t)
	storetest.Run(t, storetest.Backend{Name: store.BackendPostgres, Open: func(t *testing.T) (store.Store, func() store.Store) {
		url := pgtest.NewSchema(t)
		open := func() store.Store {
			st, err := pgstore.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
		st := open()
		return st, func() store.Store { st.Close(); st = open(); return st }
	}})
}
