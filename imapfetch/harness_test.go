package imapfetch_test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/imapfetch"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// env is a deskgate domain on the backend DESKGATE_TEST_BACKEND selects,
// with fetchers, against a private Dovecot.
type env struct {
	t   *testing.T
	st  store.Store
	svc *bridge.Service
	dc  *dovecottest.Server
	log *slog.Logger
	// maxBytes, when set, is the fetchers' MaxMessageBytes.
	maxBytes int64
	// idleRefresh and cmdTimeout, when set, replace the fetchers' watchdog
	// period and command limit (20 s).
	idleRefresh, cmdTimeout time.Duration
}

func newEnv(t *testing.T, o dovecottest.Options) *env { return newEnvWith(t, o, nil, nil) }

// newEnvWith is newEnv with a clock and an outbox for the domain.
func newEnvWith(t *testing.T, o dovecottest.Options, clock bridge.Clock, outbox bridge.Outbox) *env {
	dc := dovecottest.Start(t, o)
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test", TokenKey: make([]byte, 32), UnseenDelay: time.Minute}, clock, log)
	if outbox != nil {
		svc.SetOutbox(outbox)
	}
	return &env{t: t, st: st, svc: svc, dc: dc, log: log}
}

var admin = bridge.Caller{Kind: store.KindUser, ID: 1, Role: store.RoleAdmin}

// mailbox connects the Dovecot test account.
func (e *env) mailbox(in bridge.MailboxInput) store.Mailbox {
	e.t.Helper()
	if in.TLS == "" {
		in.Host, in.Port, in.TLS = "127.0.0.1", e.dc.Port, store.MailboxTLSNone
	}
	if in.Username == "" {
		in.Username = dovecottest.User
	}
	if in.Password == "" {
		in.Password = dovecottest.Password
	}
	m, err := e.svc.Mailboxes.CreateMailbox(context.Background(), admin, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// run starts a fetcher as node; stop ends it (and waits for it).
func (e *env) run(node string) (stop func()) { return e.runTLS(node, nil) }

// runTLS is run with a client TLS configuration.
func (e *env) runTLS(node string, tc *tls.Config) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	cmdTimeout := e.cmdTimeout
	if cmdTimeout == 0 {
		cmdTimeout = 20 * time.Second
	}
	m := imapfetch.New(imapfetch.Domain{Mailboxes: e.svc.Mailboxes, Inbound: e.svc.Inbound}, imapfetch.Config{Node: node, Scan: 100 * time.Millisecond, LeaseTTL: 3 * time.Second,
		MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second, CommandTimeout: cmdTimeout, TLS: tc,
		MaxMessageBytes: e.maxBytes, IdleRefresh: e.idleRefresh}, e.log)
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	e.t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or the (generous) deadline passes.
func (e *env) waitFor(what string, d time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) box(id uint64) store.Mailbox {
	e.t.Helper()
	var m *store.Mailbox
	if err := e.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		m, err = tx.Mailbox(id)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return *m
}

// inbound returns the inbound mail log, oldest first.
func (e *env) inbound() []store.MailLogEntry {
	e.t.Helper()
	var out []store.MailLogEntry
	if err := e.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		out, err = tx.ListMailLog(store.MailLogQuery{Direction: store.DirInbound, Limit: 100000})
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func (e *env) conversations() []store.Conversation {
	e.t.Helper()
	var out []store.Conversation
	if err := e.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		out, err = tx.Conversations()
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) messages(conv uint64) []store.Message {
	e.t.Helper()
	var out []store.Message
	if err := e.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		out, err = tx.Messages(conv)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
