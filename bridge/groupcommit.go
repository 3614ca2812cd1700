package bridge

import (
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
// Like store.Batch, a function may run twice (its group failed, so each
// is retried alone) and must be idempotent.
type groupCommit struct {
	st      *store.Store
	mu      sync.Mutex
	queue   []*commitReq
	running bool
}

// maxGroup bounds one transaction.
const maxGroup = 256

type commitReq struct {
	fn   func(*store.Tx) error
	done chan error
}

// do runs fn in a shared write transaction and returns once it is
// committed (nil) or failed.
func (g *groupCommit) do(fn func(*store.Tx) error) error {
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

// commit runs a group in one transaction; if it fails, each function is
// retried in its own, so one bad message cannot fail the others.
func (g *groupCommit) commit(group []*commitReq) {
	if len(group) > 1 {
		err := g.st.Update(func(tx *store.Tx) error {
			for _, r := range group {
				if err := safely(r.fn, tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for _, r := range group {
				r.done <- nil
			}
			return
		}
	}
	for _, r := range group {
		r.done <- g.st.Update(func(tx *store.Tx) error { return safely(r.fn, tx) })
	}
}

// safely runs fn, turning a panic into an error (as bbolt's Batch does),
// so one bad message cannot take the committer and its group down.
func safely(fn func(*store.Tx) error, tx *store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while storing: %v", p)
		}
	}()
	return fn(tx)
}
