package storetest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// BackendEnv selects the backend the domain, API, SMTP and end-to-end
// tests run on: "" or "bbolt" (the default), or "postgres" (scripts/test
// runs those packages once more with it, against DESKGATE_TEST_PG).
const BackendEnv = "DESKGATE_TEST_BACKEND"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(BackendEnv) == store.BackendPostgres }

// urlFile keeps, in a test's data directory, the URL of the schema that
// stands for it on PostgreSQL, so reopening the same directory (a restart)
// reopens the same data.
const urlFile = "pg-test-url"

// DatabaseURL returns the PostgreSQL URL that stands for data directory
// dir (creating its schema on first use), or "" on bbolt.
func DatabaseURL(tb testing.TB, dir string) string {
	tb.Helper()
	if !Postgres() {
		return ""
	}
	path := filepath.Join(dir, urlFile)
	data, err := os.ReadFile(path)
	if err == nil {
		return string(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		tb.Fatal(err)
	}
	url := pgtest.NewSchema(tb)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(url), 0o600); err != nil {
		tb.Fatal(err)
	}
	return url
}

// Open opens the store of data directory dir on the backend BackendEnv
// selects; the caller closes it.
func Open(tb testing.TB, dir string) store.Store {
	tb.Helper()
	if url := DatabaseURL(tb, dir); url != "" {
		st, err := pgstore.Open(context.Background(), url)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	st, err := boltstore.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
