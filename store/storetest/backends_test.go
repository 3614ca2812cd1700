package storetest_test

import (
	"context"
	"reflect"
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

// An installation copied bbolt -> PostgreSQL -> bbolt is the same
// installation (deskgate store copy, SPEC §8).
func TestCopyAcrossBackends(t *testing.T) {
	url := pgtest.NewSchema(t)
	bolt1, err := boltstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bolt1.Close()
	pg, err := pgstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	storetest.CheckCopy(t, bolt1, pg)
	bolt2, err := boltstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer bolt2.Close()
	storetest.Copy(t, pg, bolt2)
	// (CheckCopy wrote to the PostgreSQL copy after copying.)
	if a, b := storetest.ExportAll(t, pg), storetest.ExportAll(t, bolt2); !reflect.DeepEqual(a, b) {
		t.Fatalf("PostgreSQL -> bbolt changed the installation: %d records, then %d", len(a), len(b))
	}
}

// Every method of store.Tx is a read or has a group case
// (storetest/groupwrites.go), so a new write method cannot go untested.
func TestEveryTxMethodIsClassified(t *testing.T) { storetest.CheckClassified(t) }
