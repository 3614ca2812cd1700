package boltstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/deskgate/deskgate/store"
)

// groupCommit commits the write functions of concurrent callers together
// in one transaction (one fsync pair for all of them), without waiting:
// while one commit runs, new callers queue, and the next commit takes the
// whole queue. bbolt's own Batch does the same but waits MaxBatchDelay
// before every commit even when every writer is already queued, which is
// the common case for an SMTP server (each session waits for its 250).
//
// A function that returns an error before it wrote anything (a refusal:
// 404, 422) is answered alone and the group goes on without it. "Wrote
// anything" is Tx.writes, counted by the bucket wrapper every write goes
// through (bucket.go), never by the store methods themselves. Only a
// function that fails after writing spoils the shared transaction: then
// the group is rolled back and each function retried in its own, so a
// function may run twice and must be idempotent.
type groupCommit struct {
	st      *Store
	mu      sync.Mutex
	queue   []*commitReq
	running bool
}

// maxGroup bounds one transaction.
const maxGroup = 256

type commitReq struct {
	fn   func(store.Tx) error
	done chan error
	// refused is the function's error when it refused before writing in
	// the current attempt of its group.
	refused error
}

// do runs fn in a shared write transaction and returns once it is
// committed (nil) or failed.
func (g *groupCommit) do(fn func(store.Tx) error) error {
	r := &commitReq{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return <-r.done
}

// loop commits queued groups until the queue is empty, then ends.
func (g *groupCommit) loop() {
	g.mu.Lock()
	for len(g.queue) > 0 {
		n := min(len(g.queue), maxGroup)
		group := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		g.commit(group)
		g.mu.Lock()
	}
	g.queue = nil
	g.running = false
	g.mu.Unlock()
}

// commit runs a group in one transaction; if a function fails after
// writing, each function is retried in its own transaction, so one bad
// message cannot fail the others.
func (g *groupCommit) commit(group []*commitReq) {
	if len(group) > 1 {
		err := g.st.update(func(tx *Tx) error {
			for _, r := range group {
				r.refused = nil
				before := tx.writes
				if err := safely(r.fn, tx); err != nil {
					if tx.writes != before {
						return err
					}
					r.refused = err
				}
			}
			return nil
		})
		if err == nil {
			for _, r := range group {
				r.done <- r.refused
			}
			return
		}
	}
	for _, r := range group {
		r.done <- g.st.update(func(tx *Tx) error { return safely(r.fn, tx) })
	}
}

// safely runs fn, turning a panic into an error (as bbolt's Batch does),
// so one bad message cannot take the committer and its group down.
func safely(fn func(store.Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while storing: %v", p)
		}
	}()
	return fn(tx)
}

// UpdateGroup runs fns as one group, in order, whatever else is queued,
// and returns each function's answer as Update would (store.GroupUpdater:
// the conformance suite makes a group happen with it).
func (s *Store) UpdateGroup(ctx context.Context, fns ...func(store.Tx) error) []error {
	group := make([]*commitReq, len(fns))
	for i, fn := range fns {
		group[i] = &commitReq{fn: fn, done: make(chan error, 1)}
	}
	s.writes.commit(group)
	out := make([]error, len(fns))
	for i, r := range group {
		out[i] = <-r.done
	}
	return out
}
