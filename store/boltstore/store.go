package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/deskgate/deskgate/store"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file's name inside the data directory.
const FileName = "deskgate.db"

// Store is the open database. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
	// dir is the data directory: the database file and the secrets.
	dir string
	// observe, when set, is told how long each write transaction took
	// (for the store write latency metric).
	observe func(time.Duration)
	// mailLogMax bounds the mail log's bytes (0: none); onEvict is told
	// how many entries were evicted (maillogspace.go).
	mailLogMax int64
	onEvict    func(n int)
	// writes is the group committer of Update (groupcommit.go).
	writes groupCommit
}

var (
	_ store.Store          = (*Store)(nil)
	_ store.Secrets        = (*Store)(nil)
	_ store.Copier         = (*Store)(nil)
	_ store.Backuper       = (*Store)(nil)
	_ store.MailLogBounder = (*Store)(nil)
	_ store.GroupUpdater   = (*Store)(nil)
)

// Open opens (creating if needed) the store in dir. Only one process may
// hold it: a second Open waits up to 5 s for the file lock, then fails. A
// file that is empty, cut short or not a bbolt database is refused with an
// error naming it and what to do, before bbolt reads it (filecheck.go).
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if err := checkFile(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		// bbolt holds an exclusive flock on the file while open.
		return nil, fmt.Errorf("open store %s: locked by another process (is deskgate already running on this data directory?): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir}
	s.writes.st = s
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		// A file from before the conversations' item index: built once.
		indexItems := tx.Bucket(bConversations) != nil && tx.Bucket(bConvByItem) == nil
		indexActivity := tx.Bucket(bConversations) != nil && tx.Bucket(bConvByActivity) == nil
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bMeta)
		switch v := meta.Get([]byte("schema")); {
		case v == nil:
			if err := meta.Put([]byte("schema"), []byte(schemaVersion)); err != nil {
				return err
			}
		case string(v) != schemaVersion:
			return fmt.Errorf("store schema version %s, this binary knows %s", v, schemaVersion)
		}
		if indexItems {
			if err := (&Tx{tx: tx, s: s}).indexConversationItems(); err != nil {
				return fmt.Errorf("index conversations by item: %w", err)
			}
		}
		if indexActivity {
			if err := (&Tx{tx: tx, s: s}).indexConversationActivity(); err != nil {
				return fmt.Errorf("index conversations by activity: %w", err)
			}
		}
		return (&Tx{tx: tx, s: s}).countMailLogBytes()
	})
}

// Backend returns "bbolt".
func (s *Store) Backend() string { return store.BackendBolt }

// SetWriteObserver registers f to be told the duration of every write
// transaction. Call it before the store is shared.
func (s *Store) SetWriteObserver(f func(time.Duration)) { s.observe = f }

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Tx is one bbolt transaction; it implements store.Tx. Byte slices it
// returns are copies, but the Tx must not outlive its function.
type Tx struct {
	tx *bolt.Tx
	s  *Store
	// writes counts the bucket writes made through this Tx (bucket.go
	// counts them, whatever method makes them), so the group committer
	// can tell a function that refused before writing (its
	// error concerns its caller alone) from one that failed half-way.
	writes int
}

// Update runs fn in a read-write transaction committed (fsynced) before
// Update returns nil. Concurrent callers share commits (group commit:
// many writers, one fsync pair), so fn may run more than once.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.writes.do(fn)
}

// update runs fns in one bbolt write transaction, timed for the write
// observer.
func (s *Store) update(fn func(*Tx) error) error {
	start := time.Now()
	err := s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
	if s.observe != nil {
		s.observe(time.Since(start))
	}
	return err
}

// View runs fn in a read-only transaction. Keep it short: long readers
// block page reuse.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}
