package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes is what the queue needs of the domain (bridge.Service).
type Outcomes interface {
	RecordEmailOutcome(tx bridge.OutcomeTx, rec *store.OutboundEmail, o bridge.EmailOutcome) (string, error)
	EmailSeen(tx store.NotificationsTx, id uint64) (bool, error)
}

// Options configure a Queue. Domain, Keys and BounceAddress are required.
type Options struct {
	// Domain is the first of the configured domains: From address, DKIM
	// d= and the bounce address are on it.
	Domain string
	// Hostname is the EHLO name and the X-Deskgate-Origin value.
	Hostname string
	// FromLocalPart is the local part of the From address; default
	// "notifications".
	FromLocalPart string
	// Keys sign every email (LoadOrCreateKeys).
	Keys []Key
	// BounceAddress returns the envelope sender of email id
	// (bridge.Service.BounceAddress: bounce+TOKEN@domain).
	BounceAddress func(id uint64) string
	// Outcomes is the domain (bridge.Service): the queue reports what
	// became of each email there, and asks it whether an email was seen
	// in the app before it leaves; the domain decides what follows.
	Outcomes Outcomes

	// Capture keeps every email instead of sending it (SPEC §5,
	// DESKGATE_OUTBOUND=capture): signed as usual, it turns captured
	// without any connection, and its mail log entry keeps the whole
	// message, password links included (a trial's welcome email is how
	// its agents get a password).
	Capture bool
	// Smarthost is host:port of the relay; "" delivers by MX lookup.
	Smarthost                        string
	SmarthostUser, SmarthostPassword string // AUTH PLAIN when the user is set
	SmarthostInsecureTLS             bool   // do not verify the smarthost's certificate
	// Resolver looks MX and address records up: the resolver of
	// DESKGATE_DNS (senderauth.Resolver) or net.DefaultResolver (nil).
	Resolver Resolver
	// MXPort is the port of MX hosts; default "25".
	MXPort string

	// RetrySchedule is the waits after temporary failures; the last
	// repeats. Default: SPEC §2's 1m,5m,15m,30m,1h,2h,4h.
	RetrySchedule []time.Duration
	// Lifetime bounds how long an email is retried; default 120h.
	Lifetime time.Duration
	// Retention is how long final queue records are kept (so late DSNs
	// find their email); default 72h.
	Retention time.Duration

	// MaxWorkers caps concurrent attempts; default 20.
	MaxWorkers int
	// MaxPerDestination caps concurrent workers for one destination (the
	// smarthost, or one recipient domain); a worker holds at most one
	// connection to each of the destination's MX hosts; default 10.
	MaxPerDestination int
	// MaxPerSession caps how many emails one SMTP session carries before
	// it is closed; default 20.
	MaxPerSession int
	// AttemptTimeout bounds the connection setup and each email's
	// transaction; default 5m.
	AttemptTimeout time.Duration
	// Lease, when set, is how long an email whose attempt started stays
	// claimed by this node (SPEC §8, DESKGATE_NODE_LEASE): the attempt
	// sets its NextAttempt to now+Lease and renews it every Lease/3 while
	// it runs, so a node killed mid-attempt leaves the email to the other
	// nodes within Lease, and a live node's slow attempt is never taken
	// over. Zero: the claim lasts until the next retry time.
	Lease time.Duration
	// ShutdownTimeout is how long Run waits for attempts in flight after
	// its context ends; default 15s.
	ShutdownTimeout time.Duration

	Clock    bridge.Clock          // default bridge.SystemClock
	Log      *slog.Logger          // default slog.Default()
	Registry prometheus.Registerer // metrics are registered here when set
}

func (o *Options) defaults() error {
	if o.Domain == "" || len(o.Keys) == 0 || o.BounceAddress == nil || o.Outcomes == nil {
		return errors.New("outbound: Domain, Keys, BounceAddress and Outcomes are required")
	}
	if o.Hostname == "" {
		o.Hostname = o.Domain
	}
	if o.FromLocalPart == "" {
		o.FromLocalPart = bridge.LocalNotifications
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.MXPort == "" {
		o.MXPort = "25"
	}
	if len(o.RetrySchedule) == 0 {
		o.RetrySchedule = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour}
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 120 * time.Hour
	}
	if o.Retention <= 0 {
		o.Retention = 72 * time.Hour
	}
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 20
	}
	if o.MaxPerDestination <= 0 {
		o.MaxPerDestination = 10
	}
	if o.MaxPerSession <= 0 {
		o.MaxPerSession = 20
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 5 * time.Minute
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 15 * time.Second
	}
	if o.Clock == nil {
		o.Clock = bridge.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return nil
}

// Queue is the durable outbound queue. It implements bridge.Outbox and
// bridge.Bouncer. Safe for concurrent use.
type Queue struct {
	st       store.Store
	opts     Options
	composer Composer
	signer   Signer
	metrics  *metrics
	kick     chan struct{}
	done     chan struct{}  // a worker recorded its attempts, or finished
	results  chan finishReq // attempt results to commit, while Run runs

	mu       sync.Mutex
	inflight map[uint64]bool // emails a worker holds
	workers  int             // workers running (one SMTP session each)
	perDest  map[string]int  // workers per destination
	passes   uint64          // dispatch passes completed (tests wait for one after a change)
}

var (
	_ bridge.Outbox  = (*Queue)(nil)
	_ bridge.Bouncer = (*Queue)(nil)
)

// New returns a queue over st. Nothing runs until Run.
func New(st store.Store, opts Options) (*Queue, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	q := &Queue{
		st: st, opts: opts,
		composer: Composer{FromAddress: opts.FromLocalPart + "@" + opts.Domain, Hostname: opts.Hostname},
		signer:   Signer{Domain: opts.Domain, Keys: opts.Keys},
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}, 1),
		inflight: map[uint64]bool{},
		perDest:  map[string]int{},
	}
	m, err := newMetrics(opts.Registry, q.depth)
	if err != nil {
		return nil, err
	}
	q.metrics = m
	return q, nil
}

// Enqueue queues e inside tx (bridge.Outbox): it allocates the email id,
// composes the message and writes the queue record, the raw message and
// the outbound mail log entry (status queued). It only writes; the email
// is queued if and only if tx commits. Call Kick after the commit.
func (q *Queue) Enqueue(tx bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	now := q.opts.Clock.Now()
	raw, err := q.composer.Compose(e, now)
	if err != nil {
		return 0, err
	}
	id, err := tx.NewOutboundID()
	if err != nil {
		return 0, err
	}
	rec := &store.OutboundEmail{
		ID: id, Recipient: cleanAddr(e.Recipient.Email), EnvelopeFrom: q.opts.BounceAddress(id),
		MessageID: cleanID(e.MessageID), ConversationID: e.Conversation.ID, Cause: e.Cause,
		State: store.OutboundQueued, QueuedAt: now, NextAttempt: now,
	}
	entry := &store.MailLogEntry{
		Direction: store.DirOutbound, At: now, From: rec.EnvelopeFrom, To: rec.Recipient,
		Subject: emailSubject(e), MessageID: rec.MessageID,
		Status: store.EmailQueued, Detail: fmt.Sprintf("queued as outbound email %d", id),
		ConversationID: e.Conversation.ID,
	}
	if e.Cause != "" {
		entry.Detail += " (" + e.Cause + ")"
	}
	if len(e.Messages) > 0 {
		entry.MessageIDInt = e.Messages[len(e.Messages)-1].ID
	}
	logRaw := raw
	if e.CarriesCredential() && !q.opts.Capture {
		logRaw, rec.RawNotLogged = nil, true
	}
	if err := tx.AddMailLog(entry, logRaw); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	rec.MailLogID = entry.ID
	if err := tx.PutOutbound(rec, raw); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return id, nil
}

// Kick wakes the queue loop (after a commit that enqueued).
func (q *Queue) Kick() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// depth counts pending emails (the queue depth gauge).
func (q *Queue) depth() float64 {
	n := 0
	_ = q.st.View(context.Background(), func(tx store.Tx) error { var err error; n, err = tx.OutboundPending(); return err })
	return float64(n)
}

// destination names where email rec goes, for the per-destination limit.
func (q *Queue) destination(rec *store.OutboundEmail) string {
	if q.opts.Capture {
		return "capture"
	}
	if q.opts.Smarthost != "" {
		return "smarthost " + q.opts.Smarthost
	}
	_, domain, _ := strings.Cut(rec.Recipient, "@")
	return strings.ToLower(domain)
}

// retryDelay is the wait after the n-th attempt (n ≥ 1) fails.
func (q *Queue) retryDelay(n int) time.Duration {
	s := q.opts.RetrySchedule
	return s[min(max(n-1, 0), len(s)-1)]
}
