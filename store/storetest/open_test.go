package storetest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	_ "github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// writeAndRead stores a user through st and reads it back from a store
// opened again at url: the URL names the same data.
func writeAndRead(t *testing.T, url string, st store.Store) {
	t.Helper()
	ctx := context.Background()
	u := &store.User{Email: "ann@support.test", Name: "Ann", CreatedAt: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatalf("reopen %s: %v", url, err)
	}
	defer again.Close()
	err = again.View(ctx, func(tx store.Tx) error {
		got, err := tx.UserByEmail("ann@support.test")
		if err == nil && got.ID != u.ID {
			t.Errorf("reopened user id %d, stored %d", got.ID, u.ID)
		}
		return err
	})
	if err != nil {
		t.Fatalf("the user stored through %s: %v", url, err)
	}
}

// A directory, as a plain path or a bolt:/bbolt: URL, opens the embedded
// store there, with its capabilities (secrets files in the directory,
// online backup, the mail log bounded on every entry) and none of a
// shared store's.
func TestOpenBoltByURL(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		url  func(dir string) string
	}{
		{"plain path", func(d string) string { return d }},
		{"bolt:///", func(d string) string { return "bolt://" + d }},
		{"bbolt:", func(d string) string { return "bbolt:" + d }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			url := c.url(dir)
			var written time.Duration
			st, err := store.Open(ctx, url, store.Options{WriteObserver: func(d time.Duration) { written += d }})
			if err != nil {
				t.Fatalf("open %s: %v", url, err)
			}
			if st.Backend() != store.BackendBolt {
				t.Fatalf("%s opened %s", url, st.Backend())
			}
			if _, err := os.Stat(filepath.Join(dir, "deskgate.db")); err != nil {
				t.Fatalf("no database file in %s: %v", dir, err)
			}
			sec, ok := st.(store.Secrets)
			_, backup := st.(store.Backuper)
			_, bounded := st.(store.MailLogBounder)
			_, bus := st.(store.EventBus)
			if !ok || !backup || !bounded || bus {
				t.Fatalf("capabilities: secrets %v, backup %v, bounder %v, event bus %v", ok, backup, bounded, bus)
			}
			if _, err := sec.LoadOrCreate(ctx, "k", func() ([]byte, error) { return []byte("v"), nil }); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "k")); err != nil || string(b) != "v" {
				t.Fatalf("secret file: %q %v", b, err)
			}
			writeAndRead(t, url, st)
			if written <= 0 {
				t.Fatal("Options.WriteObserver was not told of the write")
			}
		})
	}
}

// The secrets of the embedded store are read beside a process that holds
// its database (deskgate dkim dns while serve runs).
func TestOpenSecretsBesideOpenBolt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.(store.Secrets).LoadOrCreate(ctx, "dkim", func() ([]byte, error) { return []byte("key"), nil }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var got []byte
	go func() {
		sec, closeSec, err := store.OpenSecrets(ctx, "bolt://"+dir)
		if err == nil {
			got, err = sec.LoadOrCreate(ctx, "dkim", func() ([]byte, error) { return nil, errors.New("should exist") })
			closeSec()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil || string(got) != "key" {
			t.Fatalf("secrets beside the open store: %q %v", got, err)
		}
	case <-time.After(time.Minute): // the database's lock would time out in 5 s
		t.Fatal("OpenSecrets waited for the open store")
	}
}

// A postgres:// or postgresql:// URL opens PostgreSQL, migrated, with a
// shared store's capabilities.
func TestOpenPostgresByURL(t *testing.T) {
	ctx := context.Background()
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		t.Run(scheme, func(t *testing.T) {
			url := pgtest.NewSchema(t)
			rest, ok := strings.CutPrefix(url, "postgres://")
			if !ok {
				rest, ok = strings.CutPrefix(url, "postgresql://")
			}
			if !ok {
				t.Fatalf("pgtest URL %q has neither scheme", url)
			}
			url = scheme + rest
			st, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatalf("open %s: %v", scheme, err)
			}
			if st.Backend() != store.BackendPostgres {
				t.Fatalf("%s opened %s", scheme, st.Backend())
			}
			_, sec := st.(store.Secrets)
			_, bus := st.(store.EventBus)
			_, retries := st.(store.RetryCounter)
			m, migrated := st.(store.Migrator)
			_, backup := st.(store.Backuper)
			_, bounded := st.(store.MailLogBounder)
			if !sec || !bus || !retries || !migrated || backup || bounded {
				t.Fatalf("capabilities: secrets %v, event bus %v, retries %v, migrator %v, backup %v, bounder %v", sec, bus, retries, migrated, backup, bounded)
			}
			if m.SchemaVersion() < 1 {
				t.Fatalf("schema version %d", m.SchemaVersion())
			}
			writeAndRead(t, url, st)
		})
	}
}

// A location no backend opens is refused before anything is touched, with
// an error that says what is accepted and shows no password.
func TestOpenBadURL(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ url, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"mysql://dg:s3cret@db/x", `unknown scheme "mysql"`},
		{"sqlite:x.db", `unknown scheme "sqlite"`},
		{"bolt://host/var/lib/deskgate", `names host "host"`},
		{"bbolt:", "names no directory"},
		{"bolt:///x?mode=ro", "want bolt:///path/to/dir"},
	} {
		st, err := store.Open(ctx, c.url, store.Options{})
		if err == nil {
			st.Close()
			t.Errorf("Open(%q) opened a %s store", c.url, st.Backend())
			continue
		}
		if !errors.Is(err, store.ErrBadURL) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): %v, want ErrBadURL saying %q (and no password)", c.url, err, c.want)
		}
		if strings.Contains(c.want, "unknown") && (!strings.Contains(err.Error(), "postgres://") || !strings.Contains(err.Error(), "a directory")) {
			t.Errorf("Open(%q): %v does not list what is accepted", c.url, err)
		}
		if _, _, err := store.OpenSecrets(ctx, c.url); !errors.Is(err, store.ErrBadURL) {
			t.Errorf("OpenSecrets(%q): %v, want ErrBadURL", c.url, err)
		}
	}
}
