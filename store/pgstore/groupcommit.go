package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// groupCommit commits the write functions of concurrent Update callers
// together: one transaction, one commit (one WAL flush) for all of them,
// as boltstore does. While committers are busy new callers queue, and the
// next free committer takes the whole queue as its group.
//
// A group first runs optimistically, its functions one after the other
// with no savepoint (no statement more than they would cost alone). When
// one of them fails (a refusal: 404, 422; or any other error of its own)
// after an earlier one wrote, that attempt is rolled back and the group
// runs again with a SAVEPOINT before each function after the first, taken
// at its first statement: then a failing function is rolled back to it
// alone and answered alone, and the group goes on and commits without it. A function keeps its
// own Tx (its memos, pending blind writes, changed cache kinds), so what
// a rolled-back function queued or remembered never reaches the others;
// the kinds the committed functions changed are notified and invalidated
// once, at the group's commit.
//
// A function alone pays nothing for this: no savepoint, the transaction
// exactly as run builds it. When a function of a group hits a deadlock or
// a stale read (retryable), loses the connection, or the commit fails
// retryably, the group is rolled back and each function run again alone
// with run's retries, so a function may run more than once (store.Store's
// contract) and an Update returning nil still means committed.
type groupCommit struct {
	st      *Store
	mu      sync.Mutex
	queue   []*groupReq
	running int
}

const (
	// maxGroup bounds a group: at most maxGroup-1 savepoints, within the
	// 64 subtransaction ids a PostgreSQL backend keeps in shared memory
	// (beyond them every snapshot of every session gets slower).
	maxGroup = 64
	// maxCommitters is how many groups commit at once, each on its own
	// connection: the database works on one group while another waits
	// for its WAL flush. Measured on 2 cores (bench/smtp-inbound-nodes.sh,
	// one node): 1 committer 0.34 commits a mail but the slowest, 4 about
	// as fast as none and 1.0 commit a mail, 2 the fastest at 0.67.
	maxCommitters = 2
)

// groupReq is one Update waiting in the queue.
type groupReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan groupResult
	// err is the function's answer in the current group attempt.
	err error
	// panicked: the function panicked with pval (re-raised in its caller).
	panicked bool
	pval     any
}

type groupResult struct {
	err      error
	panicked bool
	pval     any
}

// do queues fn and returns once it is committed (nil) or failed.
func (g *groupCommit) do(ctx context.Context, fn func(store.Tx) error) error {
	r := &groupReq{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if g.running < maxCommitters {
		g.running++
		go g.loop()
	}
	g.mu.Unlock()
	res := <-r.done
	if res.panicked {
		panic(res.pval)
	}
	return res.err
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
	g.running--
	g.mu.Unlock()
}

// commit runs group in one transaction and answers each function; a
// function alone runs as Update always ran it.
func (g *groupCommit) commit(group []*groupReq) {
	// A caller that gave up while queued (its context ended: a client
	// gone, a deadline passed) is answered so, and its function not run.
	kept := group[:0:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- groupResult{err: err}
			continue
		}
		kept = append(kept, r)
	}
	group = kept
	if len(group) > 1 {
		res := g.st.runGroup(group, false)
		if res == groupSavepoints {
			res = g.st.runGroup(group, true)
		}
		if res == groupDone {
			for _, r := range group {
				r.done <- groupResult{err: r.err, panicked: r.panicked, pval: r.pval}
			}
			return
		}
	}
	var wg sync.WaitGroup
	for _, r := range group {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.alone(r)
		}()
	}
	wg.Wait()
}

// alone runs r's function in a transaction of its own (with run's
// retries) and answers it, a panic included.
func (g *groupCommit) alone(r *groupReq) {
	defer func() {
		if p := recover(); p != nil {
			r.done <- groupResult{panicked: true, pval: p}
		}
	}()
	r.done <- groupResult{err: g.st.run(r.ctx, pgx.ReadWrite, r.fn)}
}

// UpdateGroup runs fns as one group, in order, whatever else is queued,
// and returns each function's answer as Update would (store.GroupUpdater:
// the conformance suite makes a group happen with it).
func (s *Store) UpdateGroup(ctx context.Context, fns ...func(store.Tx) error) []error {
	group := make([]*groupReq, len(fns))
	for i, fn := range fns {
		group[i] = &groupReq{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	}
	s.writes.commit(group)
	out := make([]error, len(fns))
	for i, r := range group {
		res := <-r.done
		if res.panicked {
			panic(res.pval)
		}
		out[i] = res.err
	}
	return out
}

// groupTx is the transaction a group shares: begun at the first
// statement of any of its functions.
type groupTx struct {
	st   *Store
	ctx  context.Context
	opts pgx.TxOptions
	ptx  pgx.Tx
	// saved: a savepoint "m" is open (a member since the transaction
	// began has one); entered: the running member has sent a statement.
	saved, entered bool
	// first: the running member is the first to send a statement, so the
	// transaction holds nothing else and a failure rolls it all back.
	first bool
	// savepoints: take a savepoint before each member (else the attempt
	// is optimistic, and a failure after an earlier write undoes it all).
	savepoints bool
}

// enter returns the shared transaction for the running member's first
// statement: it begins the transaction, or takes a savepoint the member
// can be rolled back to.
func (g *groupTx) enter() (pgx.Tx, error) {
	g.entered = true
	if g.ptx == nil {
		ptx, err := g.st.pool.BeginTx(g.ctx, g.opts)
		if err != nil {
			return nil, err
		}
		g.ptx, g.first = ptx, true
		return ptx, nil
	}
	if !g.savepoints {
		return g.ptx, nil
	}
	sql := `SAVEPOINT m`
	if g.saved { // the last member's savepoint: merge it, take a new one
		sql = `RELEASE SAVEPOINT m; SAVEPOINT m`
	}
	if _, err := g.ptx.Exec(g.ctx, sql); err != nil {
		return nil, err
	}
	g.saved = true
	return g.ptx, nil
}

// undo rolls back what the running member did; false when the group
// cannot go on (an optimistic attempt: earlier members' writes would go).
func (g *groupTx) undo() bool {
	switch {
	case !g.entered:
		return true
	case g.first:
		err := g.ptx.Rollback(g.ctx)
		g.ptx, g.saved = nil, false
		return err == nil
	case !g.savepoints:
		return false
	default:
		_, err := g.ptx.Exec(g.ctx, `ROLLBACK TO SAVEPOINT m`)
		return err == nil
	}
}

// groupOutcome is how a group attempt ended.
type groupOutcome int

const (
	groupDone       groupOutcome = iota // every function answered
	groupSavepoints                     // rolled back: run again with savepoints
	groupAlone                          // rolled back: run each function alone
)

// runGroup runs group's functions in one transaction, recording each
// one's answer in it, and commits (groupDone); or it rolls back and says
// how to run the group instead.
func (s *Store) runGroup(group []*groupReq, savepoints bool) (out groupOutcome) {
	ctx, cancel := groupContext(group)
	defer cancel()
	g := &groupTx{st: s, ctx: ctx, opts: pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}, savepoints: savepoints}
	defer func() {
		if out != groupDone && g.ptx != nil {
			_ = g.ptx.Rollback(ctx)
		}
	}()
	var dirty uint8 // the kinds the kept functions changed
	for _, r := range group {
		// Later functions read what earlier ones changed from the
		// transaction, not from the node's cache.
		t := &Tx{ctx: ctx, write: true, st: s, opts: g.opts, group: g, dirty: dirty}
		t.tx = lazyTx{t}
		g.entered, g.first = false, false
		r.err, r.panicked, r.pval = nil, false, nil
		err := t.runMember(r)
		if err == nil {
			dirty |= t.dirty
			continue
		}
		if retryable(err) || isConnErr(err) {
			s.retries.Add(1)
			return groupAlone
		}
		if ctx.Err() != nil { // past every member's deadline
			return groupAlone
		}
		if !g.undo() {
			if !savepoints && g.ptx != nil {
				return groupSavepoints
			}
			return groupAlone
		}
		r.err = wrapErr(err)
	}
	if g.ptx == nil { // nothing reached the database
		return groupDone
	}
	if dirty != 0 {
		n := &Tx{dirty: dirty}
		if _, err := g.ptx.Exec(ctx, `SELECT pg_notify($1, $2)`, cacheChannel, n.dirtyNames()); err != nil {
			return groupAlone
		}
	}
	err := g.ptx.Commit(ctx)
	g.ptx = nil
	if err != nil {
		if retryable(err) {
			s.retries.Add(1)
			return groupAlone
		}
		for _, r := range group {
			if r.err == nil && !r.panicked {
				r.err = wrapErr(err)
			}
		}
		return groupDone
	}
	if dirty != 0 {
		s.cache.invalidate((&Tx{dirty: dirty}).dirtyKinds()...)
	}
	return groupDone
}

// groupContext is what a group's transaction runs under: not cancelled
// when one member's context is (the others still want their commit), but
// ending at the latest of the members' deadlines when every member has
// one, so a stalled database answers them about when each asked to be
// answered, as it would answer each alone, instead of holding them all
// until TCP gives up. The members then run alone under their own
// contexts (ended by then: they fail at once).
func groupContext(group []*groupReq) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(group[0].ctx)
	var latest time.Time
	for _, r := range group {
		d, ok := r.ctx.Deadline()
		if !ok {
			return base, func() {}
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(base, latest)
}

// runMember runs r's function in t, a Tx on the group's transaction, and
// sends its pending writes; a panic is recorded in r and returned as an
// error, so the group can roll the function back and go on.
func (t *Tx) runMember(r *groupReq) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked, r.pval = true, p
			err = fmt.Errorf("panic while storing: %v", p)
		}
	}()
	if err := r.fn(t); err != nil {
		return err
	}
	return t.flush()
}
