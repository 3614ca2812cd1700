package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/imapfetch"
	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/webapi"
	"github.com/deskgate/deskgate/webhooks"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// cmdServe runs deskgate until SIGTERM or SIGINT, then shuts down cleanly.
func cmdServe(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, code, quit := flagsAndConfig(fs, args, stderr)
	if quit {
		return code
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.SlogLevel()}))
	for _, w := range config.UnknownEnv(os.Environ()) {
		log.Warn(w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, cfg, log, stderr); err != nil {
		log.Error("deskgate stopped", "err", err)
		return 1
	}
	return 0
}

// app is a running deskgate: the store, the domain and the servers.
type app struct {
	cfg config.Config
	log *slog.Logger
	st  store.Store
	// secrets holds the reply-token and DKIM keys (openStore).
	secrets store.Secrets
	// backup is the store's online backup (store.Backuper; nil when the
	// backend has none: pg_dump). a.st wraps the store (events.Record), so
	// its capabilities are taken from the store as opened.
	backup store.Backuper
	// selfBounded: the store bounds its mail log on every new entry
	// (store.MailLogBounder); otherwise pruneLoop evicts once a round.
	selfBounded bool
	node        string               // DESKGATE_NODE_NAME, default the host name
	events      store.NodeEvents     // nil when no other node shares the store
	onEvict     func(n int)          // told of mail log entries evicted for space
	dns         *senderauth.Resolver // DESKGATE_DNS: sender checks and MX lookups
	svc         *bridge.Service
	queue       *outbound.Queue
	reg         *prometheus.Registry
	ready       atomic.Bool
	certs       *certReloader // STARTTLS certificate; nil without TLS
	// hooks and dispatcher are the webhooks (SPEC §14).
	hooks      *webhooks.Admin
	dispatcher *webhooks.Dispatcher
}

// serve opens the store, starts every part, and on ctx's end stops taking
// new work, finishes what is in flight and closes the store. The first-run
// setup link is also written plainly to console (SPEC §10).
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, console io.Writer) error {
	log.Info("starting deskgate", "version", versionString(), "config", cfg)
	a, err := newApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.close()

	httpLn, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", cfg.HTTPAddr, err)
	}
	public, guessed := publicURL(a.cfg, httpLn.Addr().String())
	if guessed {
		log.Warn("DESKGATE_PUBLIC_URL is not set and DESKGATE_HTTP_ADDR listens on every interface: links in emails guess "+public+
			"; set DESKGATE_PUBLIC_URL to the URL users open (e.g. https://help.example.com)", "http_addr", cfg.HTTPAddr, "links", public)
	}
	a.svc.SetPublicURL(public)
	smtpSrv, smtpLn, err := a.listenSMTP()
	if err != nil {
		httpLn.Close()
		return err
	}
	if b := a.backup; b != nil { // deskgate store backup FILE while serving
		ctl, err := listenControl(cfg.DataDir)
		if err != nil {
			log.Warn("no control socket: deskgate store backup needs serve stopped", "err", err)
		} else {
			defer ctl.Close()
			go serveBackups(ctl, b, log)
		}
	}
	proxies, _ := a.cfg.TrustedProxyPrefixes() // validated by config.Load
	limits := a.httpLimits()
	api := webapi.New(apiDomain(a.svc), webapi.Options{Registry: a.reg, Ready: a.ready.Load,
		StoreBackend: a.st.Backend(), Node: a.node, TrustedProxies: proxies, Conns: limits,
		MetricsToken: cfg.MetricsToken, CORSOrigins: a.cfg.CORSOrigins, Webhooks: a.hooks}, log)
	httpSrv := webapi.NewHTTPServer(api.Handler(), limits)
	httpSrv.BaseContext = func(net.Listener) context.Context { return ctx }
	httpLn = a.limitHTTP(httpLn, limits)

	var wg sync.WaitGroup
	loops, cancelLoops := context.WithCancel(context.Background())
	defer cancelLoops()
	errs := make(chan error, 12) // one per goroutine below, with room
	goFn := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	goFn("http", func() error { return httpSrv.Serve(httpLn) })
	goFn("smtp", func() error { return smtpSrv.Serve(smtpLn) })
	goFn("timers", func() error { return a.svc.Notifications.RunTimers(loops) })
	goFn("outbound queue", func() error { return a.queue.Run(loops) })
	goFn("maillog pruning", func() error { a.pruneLoop(loops); return nil })
	goFn("webhooks", func() error { a.dispatcher.Run(loops); return nil })
	goFn("automations", func() error { a.svc.Messaging.RunAutomations(loops, 0); return nil })
	if a.events != nil { // other nodes' messages reach this node's event streams
		goFn("node events", func() error {
			a.events.Listen(loops, func(ids []uint64) {
				if err := a.svc.Notifications.PublishMessages(loops, ids); err != nil {
					log.Warn("showing another node's messages", "err", err)
				}
			})
			return nil
		})
	}
	fetcher := imapfetch.New(imapfetch.Domain{Mailboxes: a.svc.Mailboxes, Inbound: a.svc.Inbound}, imapfetch.Config{Node: a.node, LeaseTTL: cfg.NodeLease, MaxMessageBytes: cfg.MaxMessageBytes}, log)
	if err := fetcher.RegisterMetrics(a.reg); err != nil {
		log.Warn("imap metrics", "err", err) // the fetcher works without them
	}
	goFn("imap", func() error { fetcher.Run(loops); return nil })
	goFn("sighup", func() error { a.certs.reloadOnHUP(loops, log); return nil })
	// The setup link is out before /healthz says ready: a script that
	// waits for ready finds it in the log.
	a.offerSetup(ctx, console)
	a.ready.Store(true)
	log.Info("deskgate ready", "http", httpLn.Addr().String(), "smtp", smtpLn.Addr().String(), "data", cfg.DataDir)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errs:
	}
	a.ready.Store(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	smtpCtx, cancelSMTP := context.WithTimeout(context.Background(), 10*time.Second)
	if err := smtpSrv.Shutdown(smtpCtx); err != nil { // waits for messages being stored
		log.Error("stopping smtp", "err", err)
	}
	cancelSMTP()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		httpSrv.Close() // event streams do not end by themselves
	}
	cancelLoops()
	wg.Wait()
	log.Info("deskgate stopped")
	return runErr
}

// newApp opens the store and builds the domain.
func newApp(cfg config.Config, log *slog.Logger) (*app, error) {
	reg := prometheus.NewRegistry()
	opened, err := openStore(context.Background(), cfg, reg)
	if err != nil {
		return nil, err
	}
	st := opened.st
	// Every part writes through rec, so each change records its event
	// in its own transaction (SPEC §14).
	rec := events.Record(st, nil)
	a := &app{cfg: cfg, log: log, st: rec, secrets: opened.secrets, reg: reg, node: nodeName(cfg)}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	evicted := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "deskgate_maillog_evicted_total",
		Help: "Mail log entries evicted, oldest first, because the mail log reached DESKGATE_MAILLOG_MAX_BYTES (before the log retention would have pruned them).",
	})
	a.reg.MustRegister(evicted)
	var warned atomic.Int64 // unix seconds of the last warning: one an hour at most
	a.onEvict = func(n int) {
		evicted.Add(float64(n))
		if now, last := time.Now().Unix(), warned.Load(); now-last >= 3600 && warned.CompareAndSwap(last, now) {
			log.Warn("mail log full: oldest entries evicted before the log retention (deskgate_maillog_evicted_total counts them)",
				"entries", n, "maillog_max_bytes", cfg.MailLogMaxBytes)
		}
	}
	// bbolt bounds the mail log on every new entry; on PostgreSQL the
	// pruning node evicts once a round (pruneLoop).
	if b, ok := st.(store.MailLogBounder); ok {
		a.selfBounded = true
		b.SetMailLogLimit(cfg.MailLogMaxBytes, a.onEvict)
	}
	a.backup, _ = st.(store.Backuper)
	key, err := loadReplyTokenKey(context.Background(), a.secrets)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.hooks = webhooks.NewAdmin(rec, cfg.WebhookAllowPrivate, nil)
	a.dispatcher = webhooks.NewDispatcher(rec, webhooks.Options{Node: a.node, AllowPrivate: cfg.WebhookAllowPrivate,
		Render: webapi.EventData, Log: log})
	rec.SetNotify(a.dispatcher.Kick)
	a.hooks.SetKick(a.dispatcher.Kick)
	a.svc = bridge.New(rec, bridge.Config{
		Domains: cfg.Domains, Hostname: cfg.Hostname, UnseenDelay: cfg.UnseenDelay, TokenKey: key,
		Accounts: bridge.AccountsConfig{SessionTTL: cfg.SessionTTL},
	}, bridge.SystemClock{}, log)
	if bus, ok := st.(store.EventBus); ok { // nodes share the store
		a.events = bus.NodeEvents(a.node, log)
		a.svc.Notifications.SetAnnouncer(a.events)
	}
	if a.dns, err = senderauth.NewResolver(senderauth.ResolverOptions{Server: cfg.DNS}); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.newQueue(); err != nil {
		st.Close()
		return nil, err
	}
	created, err := a.svc.Directory.Bootstrap(context.Background(), cfg.BootstrapToken)
	if err != nil {
		st.Close()
		return nil, err
	}
	if created {
		log.Info("created the first admin from DESKGATE_BOOTSTRAP_TOKEN", "email", "admin@"+cfg.Domains[0])
	}
	return a, nil
}

// newQueue builds the outbound queue (DKIM keys generated on first start)
// and plugs it into the domain as its outbox and bouncer.
func (a *app) newQueue() error {
	keys, err := outbound.LoadOrCreateKeysIn(context.Background(), a.secrets, time.Now())
	if err != nil {
		return err
	}
	q, err := outbound.New(a.st, outbound.Options{
		Domain: a.cfg.Domains[0], Hostname: a.cfg.Hostname, Keys: keys, BounceAddress: a.svc.Addresses.BounceAddress, Outcomes: a.svc.Messaging,
		Capture: a.cfg.Capture(), Smarthost: a.cfg.Smarthost, SmarthostUser: a.cfg.SmarthostUser, SmarthostPassword: a.cfg.SmarthostPassword,
		SmarthostInsecureTLS: a.cfg.SmarthostInsecureTLS, RetrySchedule: a.cfg.RetrySchedule,
		Lifetime: a.cfg.QueueLifetime, Retention: a.cfg.LogRetention,
		Log: a.log.With("part", "outbound"), Registry: a.reg, Resolver: a.dns, Lease: a.cfg.NodeLease,
	})
	if err != nil {
		return err
	}
	a.queue = q
	if a.cfg.Capture() {
		a.log.Warn("DESKGATE_OUTBOUND=capture: no email leaves this machine; each is kept in the outbound mail log with status captured (GET /api/v1/maillog?direction=outbound)")
	}
	a.svc.SetOutbox(q)
	a.svc.SetBouncer(q)
	return nil
}

func (a *app) close() {
	if err := a.st.Close(); err != nil {
		a.log.Error("closing store", "err", err)
	}
}

// publicURL is where the API is reached from outside, for links in
// emails: DESKGATE_PUBLIC_URL, else http:// and the address the API
// listens on (the port picked when DESKGATE_HTTP_ADDR names port 0). A
// wildcard address (0.0.0.0, [::], empty host) is no place a browser can
// open: the host becomes DESKGATE_HOSTNAME and guessed reports it, so
// serve warns.
func publicURL(cfg config.Config, listening string) (url string, guessed bool) {
	if cfg.PublicURL != "" {
		return cfg.PublicBaseURL(), false
	}
	host, port, err := net.SplitHostPort(listening)
	if err != nil {
		return "http://" + listening, false
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return "http://" + listening, false
	}
	return "http://" + net.JoinHostPort(cfg.Hostname, port), true
}

// apiDomain is the HTTP API's view of the domain: the services it calls.
func apiDomain(svc *bridge.Service) webapi.Domain {
	return webapi.Domain{Accounts: svc.Accounts, Conversations: svc.Conversations, Notifications: svc.Notifications,
		Directory: svc.Directory, Messaging: svc.Messaging, Mailboxes: svc.Mailboxes, Inbound: svc.Inbound}
}
