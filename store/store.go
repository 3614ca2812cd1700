package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique field (an email address) is taken.
var ErrConflict = errors.New("conflict")

// Store is the open database. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
	// observe, when set, is told how long each write transaction took
	// (for the store write latency metric).
	observe func(time.Duration)
	// mailLogMax bounds the mail log's bytes (0: none); onEvict is told
	// how many entries were evicted (maillogspace.go).
	mailLogMax int64
	onEvict    func(n int)
}

// FileName is the database file's name inside the data directory.
const FileName = "deskgate.db"

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
	// Group commit: concurrent Batch callers share one commit (two fsyncs).
	// The delay is short because callers (SMTP DATA, the API) wait on it.
	db.MaxBatchDelay = 2 * time.Millisecond
	db.MaxBatchSize = 256
	s := &Store{db: db}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
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
		return (&Tx{tx: tx}).countMailLogBytes()
	})
}

// SetWriteObserver registers f to be told the duration of every write.
// Call it before the store is shared.
func (s *Store) SetWriteObserver(f func(time.Duration)) { s.observe = f }

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Tx is one transaction. Its methods are the store's operations; the
// domain composes several of them into one atomic change (a message, its
// mail log entry and its notification timers commit together or not at all).
// A Tx and anything it returns that holds bytes must not outlive fn.
type Tx struct {
	tx *bolt.Tx
	s  *Store
}

func (s *Store) timed(run func(func(*bolt.Tx) error) error, fn func(*Tx) error) error {
	start := time.Now()
	err := run(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
	if s.observe != nil {
		s.observe(time.Since(start))
	}
	return err
}

// Update runs fn in its own read-write transaction, committed (fsynced)
// before Update returns nil.
func (s *Store) Update(fn func(*Tx) error) error { return s.timed(s.db.Update, fn) }

// Batch runs fn in a read-write transaction shared with concurrent callers
// (group commit: many writers, one fsync); durable when Batch returns nil.
// fn may run more than once and must be idempotent: allocate ids inside it.
func (s *Store) Batch(fn func(*Tx) error) error { return s.timed(s.db.Batch, fn) }

// View runs fn in a read-only transaction. Keep it short: long readers
// block page reuse.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, s: s}) })
}

func (t *Tx) b(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }
