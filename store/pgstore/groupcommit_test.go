package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// commitCounter is a pgx tracer counting COMMITs (each one WAL flush)
// and statements that take a savepoint.
type commitCounter struct{ n, savepoints atomic.Int64 }

func (c *commitCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	sql := strings.TrimSpace(d.SQL)
	if strings.EqualFold(sql, "commit") {
		c.n.Add(1)
	}
	if strings.Contains(strings.ToUpper(sql), "SAVEPOINT") {
		c.savepoints.Add(1)
	}
	return ctx
}
func (c *commitCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// N concurrent Updates that arrive together share commits (fewer than N),
// every caller's writes are there, and the functions of the group that
// fail after writing leave nothing and are answered their own error.
func TestGroupCommitSharesCommits(t *testing.T) {
	pgtest.Require(t)
	cc := &commitCounter{}
	s, err := Open(context.Background(), pgtest.NewSchema(t), WithTracer(cc))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	// The N writers below are all queued when the committers come free.
	release := occupyCommitters(t, s, func(tx store.Tx, i int) error {
		return tx.CreateCustomer(&store.Customer{Email: fmt.Sprintf("blocker%d@example.com", i)})
	})

	const n = 40
	errBad := errors.New("failed after writing")
	errs := make([]error, n)
	var writers sync.WaitGroup
	for i := range n {
		writers.Add(1)
		go func() {
			defer writers.Done()
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if err := tx.CreateCustomer(&store.Customer{Email: fmt.Sprintf("w%d@example.com", i)}); err != nil {
					return err
				}
				if i%7 == 3 {
					return errBad
				}
				return nil
			})
		}()
	}
	waitFor(t, func() bool { s.writes.mu.Lock(); defer s.writes.mu.Unlock(); return len(s.writes.queue) >= n })
	before := cc.n.Load()
	release()
	writers.Wait()
	commits := cc.n.Load() - before
	// maxCommitters blockers commit on their own; the 40 writers take
	// at most a group per committer and the rest.
	if commits >= n/2 {
		t.Errorf("%d writers took %d commits, want group commit (fewer than %d)", n, commits, n/2)
	}
	t.Logf("%d concurrent writers (and %d blockers): %d commits", n, maxCommitters, commits)
	err = s.View(ctx, func(tx store.Tx) error {
		for i := range n {
			_, err := tx.CustomerByEmail(fmt.Sprintf("w%d@example.com", i))
			switch {
			case i%7 == 3:
				if !errors.Is(errs[i], errBad) {
					t.Errorf("writer %d answered %v, want its own error", i, errs[i])
				}
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("writer %d failed, yet its customer is there (%v)", i, err)
				}
			case errs[i] != nil:
				t.Errorf("writer %d answered %v", i, errs[i])
			case err != nil:
				t.Errorf("writer %d answered nil, yet its customer is missing: %v", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A group whose functions all succeed runs optimistically: one commit and
// no savepoint; when one fails after another wrote, the group runs again
// with savepoints and only the failing one is left out.
func TestGroupCommitSavepointsOnlyAfterAFailure(t *testing.T) {
	pgtest.Require(t)
	cc := &commitCounter{}
	s, err := Open(context.Background(), pgtest.NewSchema(t), WithTracer(cc))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	create := func(email string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.CreateCustomer(&store.Customer{Email: email}) }
	}
	c0, s0 := cc.n.Load(), cc.savepoints.Load()
	errs := s.UpdateGroup(ctx, create("a@example.com"), create("b@example.com"), create("c@example.com"))
	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatal(errs)
	}
	if c, sp := cc.n.Load()-c0, cc.savepoints.Load()-s0; c != 1 || sp != 0 {
		t.Errorf("a group of 3 that succeeds: %d commits, %d savepoint statements; want 1 and 0", c, sp)
	}
	errBad := errors.New("bad")
	c0, s0 = cc.n.Load(), cc.savepoints.Load()
	errs = s.UpdateGroup(ctx, create("d@example.com"),
		func(tx store.Tx) error {
			if err := create("e@example.com")(tx); err != nil {
				return err
			}
			return errBad
		}, create("f@example.com"))
	if errs[0] != nil || !errors.Is(errs[1], errBad) || errs[2] != nil {
		t.Fatal(errs)
	}
	if c, sp := cc.n.Load()-c0, cc.savepoints.Load()-s0; c != 1 || sp == 0 {
		t.Errorf("a group of 3 with a failure: %d commits, %d savepoint statements; want 1 and some", c, sp)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		for _, e := range []string{"d@example.com", "f@example.com"} {
			if _, err := tx.CustomerByEmail(e); err != nil {
				t.Errorf("%s: %v", e, err)
			}
		}
		if _, err := tx.CustomerByEmail("e@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the failed function's write is there: %v", err)
		}
		return nil
	})
}

// A panic in one function of a group reaches its own caller (as it
// would alone) and the others of the group still commit.
func TestGroupCommitPanicIsTheCallersOwn(t *testing.T) {
	pgtest.Require(t)
	s, err := Open(context.Background(), pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var got any
	func() {
		defer func() { got = recover() }()
		s.UpdateGroup(ctx,
			func(tx store.Tx) error { return tx.CreateCustomer(&store.Customer{Email: "a@example.com"}) },
			func(tx store.Tx) error {
				_ = tx.CreateCustomer(&store.Customer{Email: "p@example.com"})
				panic("boom")
			},
			func(tx store.Tx) error { return tx.CreateCustomer(&store.Customer{Email: "b@example.com"}) })
	}()
	if got != "boom" {
		t.Fatalf("recovered %v, want the function's panic", got)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		for _, e := range []string{"a@example.com", "b@example.com"} {
			if _, err := tx.CustomerByEmail(e); err != nil {
				t.Errorf("%s: %v", e, err)
			}
		}
		if _, err := tx.CustomerByEmail("p@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the panicking function's write is there: %v", err)
		}
		return nil
	})
}

// waitFor polls cond for up to 30 s (a loaded machine).
// occupyCommitters holds every committer with an Update that waits (one
// at a time, so each is a committer's group of its own) and then writes
// with write; Updates made meanwhile queue. release lets the holders end
// and returns once they have.
func occupyCommitters(t *testing.T, s *Store, write func(tx store.Tx, i int) error) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	var holders sync.WaitGroup
	var waiting atomic.Int64
	for i := range maxCommitters {
		holders.Add(1)
		go func() {
			defer holders.Done()
			if err := s.Update(context.Background(), func(tx store.Tx) error {
				waiting.Add(1)
				<-gate
				return write(tx, i)
			}); err != nil {
				t.Error(err)
			}
		}()
		waitFor(t, func() bool { return waiting.Load() == int64(i+1) })
	}
	return func() {
		close(gate)
		holders.Wait()
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 3000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached in 30 s")
}
