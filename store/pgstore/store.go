package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is an open PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// aux is a small pool of the store's own: the cache's listener and
	// its loads (cache.go).
	aux   *pgxpool.Pool
	cache nodeCache
	// retries counts transactions run again (the store retries metric).
	retries atomic.Uint64
	stop    context.CancelFunc
	done    chan struct{}
	// observe, when set, is told how long each write transaction took.
	observe func(time.Duration)
	// writes is the group committer of Update (groupcommit.go).
	writes groupCommit
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.GroupUpdater = (*Store)(nil)
)

// maxAttempts bounds the runs of a transaction that hit a deadlock (or
// wrote a project from a stale snapshot); between them it waits a random
// time that doubles up to maxBackoff. Writes run at READ COMMITTED with
// row locks, so writers of one hot row queue on its lock instead of
// failing and running again: a retry is rare, and counted (Retries).
const (
	maxAttempts = 8
	maxBackoff  = 20 * time.Millisecond
)

// Open connects to url, checks that the database answers and applies the
// migrations it lacks. A wrong or unreachable URL fails here with the
// reason, so serve stops at start rather than at the first mail.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DESKGATE_DATABASE_URL: %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.MaxConns < 20 {
		cfg.MaxConns = 20 // SMTP sessions and API requests wait on commits
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	if _, err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	auxCfg := cfg.Copy()
	auxCfg.MaxConns, auxCfg.MinConns = 3, 0
	aux, err := pgxpool.NewWithConfig(ctx, auxCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	s := &Store{pool: pool, aux: aux, done: make(chan struct{})}
	s.writes.st = s
	var lctx context.Context
	lctx, s.stop = context.WithCancel(context.Background())
	go func() {
		defer close(s.done)
		s.listenCache(lctx, slog.Default())
	}()
	return s, nil
}

// Option changes the pool's configuration before it connects.
type Option func(*pgxpool.Config)

// WithTracer traces every statement of the store's connections (the
// statement budget test counts them).
func WithTracer(t pgx.QueryTracer) Option {
	return func(c *pgxpool.Config) { c.ConnConfig.Tracer = t }
}

// Retries returns how many times a transaction was run again after a
// deadlock or a stale snapshot since the store opened.
func (s *Store) Retries() uint64 { return s.retries.Load() }

// Pool returns the connection pool (for LISTEN/NOTIFY and advisory locks).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Backend returns "postgres".
func (s *Store) Backend() string { return store.BackendPostgres }

// SetWriteObserver registers f to be told the duration of every write
// transaction. Call it before the store is shared.
func (s *Store) SetWriteObserver(f func(time.Duration)) { s.observe = f }

// Close closes the pool.
func (s *Store) Close() error {
	s.stop()
	<-s.done
	s.aux.Close()
	s.pool.Close()
	return nil
}

// Update runs fn in a READ COMMITTED read-write transaction (row locks:
// lockRead), re-running it after a deadlock or a stale read (retryable),
// and returns nil once committed. Concurrent callers share transactions
// and commits (group commit, groupcommit.go), so fn may run more than once.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	err := s.writes.do(ctx, fn)
	if s.observe != nil {
		s.observe(time.Since(start))
	}
	return err
}

// View runs fn in a read-only transaction (one snapshot).
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.ReadOnly, fn)
}

func (s *Store) run(ctx context.Context, mode pgx.TxAccessMode, fn func(store.Tx) error) error {
	// Writes: READ COMMITTED, and a write transaction's read of a record
	// it may change locks its row (FOR UPDATE: lockRead), so the domain's
	// read-modify-write functions mean what they mean on bbolt's single
	// writer without SERIALIZABLE's failures and re-runs. Reads: one
	// snapshot.
	opts := pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: mode}
	if mode == pgx.ReadOnly {
		opts.IsoLevel = pgx.RepeatableRead
	}
	var err error
	for attempt := range maxAttempts {
		t := &Tx{ctx: ctx, write: mode == pgx.ReadWrite, st: s, opts: opts}
		t.tx = lazyTx{t}
		err = t.runFn(fn)
		if err == nil && t.dirty != 0 {
			s.cache.invalidate(t.dirtyKinds()...)
		}
		if !retryable(err) || attempt == maxAttempts-1 {
			break
		}
		s.retries.Add(1)
		backoff := min(time.Duration(100<<min(attempt, 10))*time.Microsecond, maxBackoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rand.N(backoff) + 50*time.Microsecond):
		}
	}
	return wrapErr(err)
}

// runFn runs fn in t and commits. The transaction begins at its first
// statement: a function the node's cache answers whole (a read of
// automations, a token's owner…) costs the database nothing.
func (t *Tx) runFn(fn func(store.Tx) error) (err error) {
	defer func() {
		if t.ptx == nil {
			return
		}
		if p := recover(); p != nil {
			_ = t.ptx.Rollback(context.WithoutCancel(t.ctx))
			panic(p)
		}
		if err != nil {
			_ = t.ptx.Rollback(context.WithoutCancel(t.ctx))
			return
		}
		err = t.ptx.Commit(t.ctx)
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if t.dirty != 0 { // delivered at the commit, to every node
		_, err := t.tx.Exec(t.ctx, `SELECT pg_notify($1, $2)`, cacheChannel, t.dirtyNames())
		return err
	}
	return nil
}

// begin returns the PostgreSQL transaction, beginning it at first use.
func (t *Tx) begin() (pgx.Tx, error) {
	if t.ptx == nil && t.group != nil {
		ptx, err := t.group.enter()
		if err != nil {
			return nil, err
		}
		t.ptx = ptx
	}
	if t.ptx == nil {
		ptx, err := t.st.pool.BeginTx(t.ctx, t.opts)
		if err != nil {
			return nil, err
		}
		t.ptx = ptx
	}
	return t.ptx, nil
}

// lazyTx is the part of pgx.Tx the store uses, beginning the transaction
// at the first statement.
type lazyTx struct{ t *Tx }

func (l lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tx, err := l.t.begin()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return tx.Exec(ctx, sql, args...)
}

func (l lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	tx, err := l.t.begin()
	if err != nil {
		return nil, err
	}
	return tx.Query(ctx, sql, args...)
}

func (l lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	tx, err := l.t.begin()
	if err != nil {
		return errRow{err}
	}
	return tx.QueryRow(ctx, sql, args...)
}

// retryable reports whether err is a serialization failure or deadlock,
// after which the whole transaction may simply run again; or a statement
// refused because an earlier one failed (25P02): the domain reads some
// errors as "not there" (a lookup that fails threads nothing), so the
// serialization failure that aborted the transaction can surface only
// as the next statement's refusal.
func retryable(err error) bool {
	if errors.Is(err, errStale) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "25P02")
}

// wrapErr marks errors of reaching the database (as opposed to errors of
// the data, or the domain's own) as store.ErrUnavailable.
func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		if pe.Code[:2] == "08" || pe.Code[:2] == "57" || pe.Code[:2] == "53" { // connection, operator intervention, resources
			return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
		}
		return err
	case pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnErr(err):
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// isConnErr reports whether err came from connecting or talking to the
// server rather than from the domain's function.
func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) || errors.Is(err, pgx.ErrTxClosed) || errors.Is(err, pgx.ErrTxCommitRollback)
}

// Tx is one PostgreSQL transaction; it implements store.Tx.
type Tx struct {
	ctx context.Context
	tx  lazyTx
	ptx pgx.Tx // nil until the first statement
	// group, when set, is the group transaction this Tx's function runs
	// in, inside a savepoint of its own (groupcommit.go).
	group *groupTx
	opts  pgx.TxOptions
	write bool
	// pending are the blind writes not sent yet (writes.go).
	pending *writes
	// refs, docs and newConvs are what this transaction knows without
	// asking (memo.go): Message-IDs looked up or indexed, records it
	// created or overwrote, conversations it created.
	refs     map[string]*store.MessageRef
	docs     map[docKey][]byte
	newConvs map[uint64]bool
	// st is the store (its node cache); dirty the kinds of cached
	// records this transaction changed (cache.go).
	st    *Store
	dirty uint8
	// firing: the transaction locked due timers (DueTimers); batch what
	// firing them reads, for all of them at once (firing.go).
	firing bool
	batch  *fireSet
	// outs are the outbound emails this transaction read in a batch
	// or wrote since (outbatch.go).
	outs map[int64]*outMemo
	// emailDels are the deliveries of emails read in a batch (outbatch.go).
	emailDels *emailDelsMemo
	// drawn are the ids ReserveIDs drew and no create took yet, by table.
	drawn map[string][]int64
	// custAhead are customers PrefetchInbound read, by address (nil:
	// none), until CustomerByEmail takes them.
	custAhead map[string][]byte
	// noCustomer are the addresses CustomerByEmail found no customer of.
	noCustomer map[string]bool
	// capPruned: no outbound cap entry before it is left (0: unknown).
	capPruned int64
	// due are the timers this transaction locked or wrote, and when they
	// are due (0: none); TimerDue reads them from here.
	due map[timerKey]int64
	// fromCache are the documents of projects this write transaction
	// read from the node's snapshot, by id (PutProject checks them).
	fromCache map[uint64][]byte
}

func (t *Tx) exec(sql string, args ...any) (pgconn.CommandTag, error) {
	sql, args, err := t.withPending(sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.tx.Exec(t.ctx, sql, args...)
}

// withPending returns the statement that sends sql after the pending
// writes: sql itself carrying them (one statement, one round trip) when
// it can, else sql alone once they are sent.
func (t *Tx) withPending(sql string, args []any) (string, []any, error) {
	return t.withPendingApart(sql, args, nil)
}

// withPendingApart is withPending for a read that cannot see the pending
// rows of the tables apart names.
func (t *Tx) withPendingApart(sql string, args []any, apart map[string]bool) (string, []any, error) {
	if t.pending.empty() {
		return sql, args, nil
	}
	if s, a, ok := t.pending.prefix(sql, args, apart); ok {
		t.pending = nil
		return s, a, nil
	}
	return sql, args, t.flush()
}

// flush sends the pending blind writes, as one statement, and returns
// its error (writes.go).
func (t *Tx) flush() error {
	if t.pending.empty() {
		return nil
	}
	sql, args := t.pending.statement()
	t.pending = nil
	if sql == "" {
		return nil
	}
	_, err := t.tx.Exec(t.ctx, sql, args...)
	return err
}

// queryRow is QueryRow after the queued writes.
func (t *Tx) queryRow(sql string, args ...any) pgx.Row {
	sql, args, err := t.withPending(sql, args)
	if err != nil {
		return errRow{err}
	}
	return t.tx.QueryRow(t.ctx, sql, args...)
}

// query is Query after the queued writes.
func (t *Tx) query(sql string, args ...any) (pgx.Rows, error) {
	sql, args, err := t.withPending(sql, args)
	if err != nil {
		return nil, err
	}
	return t.tx.Query(t.ctx, sql, args...)
}

// errRow is a row that fails to scan with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// getJSON decodes the one jsonb column sql selects into v; it reports
// whether a row was found.
func (t *Tx) getJSON(v any, sql string, args ...any) (bool, error) {
	var data []byte
	err := t.queryRow(sql, args...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode record: %w", err)
	}
	return true, nil
}

// get is getJSON that answers ErrNotFound naming what.
func (t *Tx) get(v any, what string, id uint64, sql string) error {
	ok, err := t.getJSON(v, sql, int64(id))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// allJSON decodes every row's one jsonb column.
func allJSON[T any](t *Tx, sql string, args ...any) ([]T, error) {
	rows, err := t.query(sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var data []byte
		var v T
		if err := row.Scan(&data); err != nil {
			return v, err
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return v, fmt.Errorf("decode record: %w", err)
		}
		return v, nil
	})
}

func mustJSON(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return data, nil
}

// lockRead is sql (a read of records by key) locking the rows it reads
// in a write transaction until the commit: the records a function reads
// and then changes are not changed meanwhile by another (READ COMMITTED
// reads the row as the holder of the lock committed it). It is used for
// the records read-modify-write functions change concurrently:
// conversations (activity, Cc, followers), deliveries (seen against
// emailed), outbound emails (the claim), mailboxes (the IMAP lease), mail
// log entries, automations, teams and invitations.
func (t *Tx) lockRead(sql string) string {
	if t.write {
		return sql + " FOR UPDATE"
	}
	return sql
}

// getLocked is get locking the row in a write transaction (lockRead).
func (t *Tx) getLocked(v any, what string, id uint64, sql string) error {
	return t.get(v, what, id, t.lockRead(sql))
}

// lockSuffix locks the rows a write transaction's scan of due work returns
// and skips those another node holds.
func (t *Tx) lockSuffix() string {
	if t.write {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

func ns(at time.Time) int64 { return at.UnixNano() }

func fromNS(n int64) time.Time { return time.Unix(0, n).UTC() }

// rkey is the (rtype, rid) columns of a recipient.
func rkey(r store.Recipient) (string, int64) {
	if r.Type == store.KindCustomer {
		return "c", int64(r.ID)
	}
	return "u", int64(r.ID)
}

func recipientOf(rtype string, rid int64) store.Recipient {
	if rtype == "c" {
		return store.Recipient{Type: store.KindCustomer, ID: uint64(rid)}
	}
	return store.Recipient{Type: store.KindUser, ID: uint64(rid)}
}
