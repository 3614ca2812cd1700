package imapfetch

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Config tunes the fetcher. Zero fields take the defaults.
type Config struct {
	// Node names this process in mailbox leases (DESKGATE_NODE_NAME).
	Node string
	// LeaseTTL is how long a lease lasts unrenewed; it is renewed every
	// third of it, and another node takes a mailbox over once it expired.
	LeaseTTL time.Duration
	// Scan is how often the mailbox list is read for added, removed and
	// orphaned mailboxes.
	Scan time.Duration
	// MinBackoff and MaxBackoff bound the wait before a failed mailbox is
	// tried again (doubling between them).
	MinBackoff, MaxBackoff time.Duration
	// IdleRefresh is how long one IDLE lasts before it is ended and
	// re-issued: the watchdog that notices a link that died silently
	// (RFC 2177 asks for less than 29 minutes).
	IdleRefresh time.Duration
	// CommandTimeout bounds every IMAP command; past it the connection is
	// dropped as dead.
	CommandTimeout time.Duration
	// Batch is how many messages one UID FETCH takes.
	Batch int
	// MaxMessageBytes is the largest message fetched
	// (DESKGATE_MAX_MESSAGE_BYTES, as for SMTP); a larger one is logged
	// as rejected and left in the folder untouched.
	MaxMessageBytes int64
	// TLS is the client TLS configuration (tests add their CA); nil uses
	// the system roots.
	TLS *tls.Config
}

// Defaults of Config.
const (
	DefaultLeaseTTL       = 30 * time.Second
	DefaultScan           = 5 * time.Second
	DefaultMinBackoff     = time.Second
	DefaultMaxBackoff     = 5 * time.Minute
	DefaultIdleRefresh    = 5 * time.Minute
	DefaultCommandTimeout = 60 * time.Second
	DefaultBatch          = 50
	DefaultMaxMessage     = 25 << 20
)

// Manager runs one worker per mailbox.
type Manager struct {
	svc Domain
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	running map[uint64]bool
	metrics *metrics
}

// New returns a Manager over the domain d.
func New(d Domain, cfg Config, log *slog.Logger) *Manager {
	if cfg.Node == "" {
		cfg.Node = "node"
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.LeaseTTL, DefaultLeaseTTL)
	def(&cfg.Scan, DefaultScan)
	def(&cfg.MinBackoff, DefaultMinBackoff)
	def(&cfg.MaxBackoff, DefaultMaxBackoff)
	def(&cfg.IdleRefresh, DefaultIdleRefresh)
	def(&cfg.CommandTimeout, DefaultCommandTimeout)
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessage
	}
	if log == nil {
		log = slog.Default()
	}
	return &Manager{svc: d, cfg: cfg, log: log.With("component", "imap"), running: map[uint64]bool{}, metrics: newMetrics()}
}

// Run works the mailboxes until ctx ends, then gives their leases up and
// returns once every worker stopped.
func (m *Manager) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(m.cfg.Scan)
	defer t.Stop()
	for {
		boxes, err := m.svc.Mailboxes.AllMailboxes(ctx)
		if err != nil && ctx.Err() == nil {
			m.log.Warn("listing mailboxes", "err", err)
		}
		for _, b := range boxes {
			m.mu.Lock()
			start := !m.running[b.ID]
			m.running[b.ID] = true
			m.mu.Unlock()
			if start {
				wg.Add(1)
				go func(id uint64) {
					defer wg.Done()
					m.work(ctx, id)
					m.mu.Lock()
					delete(m.running, id)
					m.mu.Unlock()
				}(b.ID)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// work holds mailbox id while it exists: it takes the lease when free,
// runs sessions, and waits with backoff after a failure. It returns when
// the mailbox is removed or ctx ends.
func (m *Manager) work(ctx context.Context, id uint64) {
	w := &worker{m: m, id: id, log: m.log.With("mailbox", id)}
	backoff := m.cfg.MinBackoff
	for ctx.Err() == nil {
		mb, ok, err := m.svc.Mailboxes.ClaimMailbox(ctx, id, m.cfg.Node, m.cfg.LeaseTTL)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return
		case err != nil:
			w.log.Warn("taking the mailbox lease", "err", err)
			sleep(ctx, m.cfg.LeaseTTL/3)
			continue
		case !ok:
			// Another node works it; look again when its lease may have run out.
			sleep(ctx, min(m.cfg.LeaseTTL/3, time.Until(mb.LeaseUntil)+50*time.Millisecond))
			continue
		}
		synced, err := w.hold(ctx, mb)
		switch {
		case ctx.Err() != nil:
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = m.svc.Mailboxes.ReleaseMailbox(rctx, id, m.cfg.Node)
			cancel()
			return
		case errors.Is(err, store.ErrNotFound):
			w.log.Info("mailbox removed: stopping")
			return
		case errors.Is(err, bridge.ErrLeaseLost):
			w.log.Warn("mailbox lease lost to another node")
			continue
		case errors.Is(err, errReconfigured):
			w.log.Info("mailbox settings changed: reconnecting")
			continue
		}
		if synced {
			backoff = m.cfg.MinBackoff
		}
		m.metrics.errors.Inc()
		w.failed(ctx, err, backoff)
		sleep(ctx, backoff)
		backoff = min(backoff*2, m.cfg.MaxBackoff)
	}
}

// hold runs sessions of mailbox mb while renewing its lease; it returns
// the error that ended the session, and whether it synced at all.
func (w *worker) hold(ctx context.Context, mb store.Mailbox) (bool, error) {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(w.m.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-sctx.Done():
				return
			case <-t.C:
			}
			got, ok, err := w.m.svc.Mailboxes.ClaimMailbox(sctx, w.id, w.m.cfg.Node, w.m.cfg.LeaseTTL)
			switch {
			case errors.Is(err, store.ErrNotFound):
				cancel(err)
				return
			case err == nil && !ok:
				cancel(bridge.ErrLeaseLost)
				return
			case err == nil && got.Generation != mb.Generation:
				cancel(errReconfigured)
				return
			}
		}
	}()
	w.m.metrics.held.Inc()
	defer w.m.metrics.held.Dec()
	err := w.session(sctx, mb)
	if c := context.Cause(sctx); c != nil && ctx.Err() == nil && !errors.Is(c, context.Canceled) {
		err = c
	}
	return w.synced, err
}

// errReconfigured ends a session whose mailbox settings changed (PATCH
// /mailboxes/{id}: a new password, folder…): the worker reconnects with
// the new ones at once, without a backoff.
var errReconfigured = errors.New("mailbox settings changed")

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
