package bridge

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Config is what the domain needs to know of the configuration.
type Config struct {
	Domains     []string      // domains we accept mail for; the first is the main one
	Hostname    string        // for Message-IDs and the own-mail marker
	UnseenDelay time.Duration // how long a notification may stay unseen before it is emailed
	// TokenKey is the secret that makes reply tokens unforgeable (kept in
	// the data directory).
	TokenKey []byte
	// PublicURL is where deskgate's HTTP API is reached from outside
	// (DESKGATE_PUBLIC_URL), for links in emails.
	PublicURL string
	// Accounts configures sign-in, sessions and password links (SPEC §10).
	Accounts AccountsConfig
}

// core is the state the services share: the store, configuration, clock,
// logger, the event hub and the loops' wake channels. Every service holds
// a pointer to the same core; core has no methods of its own.
type core struct {
	st    store.Store
	cfg   Config
	clock Clock
	log   *slog.Logger

	hub     *hub
	streams streams       // open event streams by token (tokens.go)
	wake    chan struct{} // wakes the timer loop
	// autoWake wakes the automation worker (an event was queued here).
	autoWake chan struct{}
	outbox   Outbox
	bouncer  Bouncer
	// announcer tells other nodes of new messages (nil: one node).
	announcer Announcer
	// hashSlots bounds concurrent password hashes (memory: argon2id's m each).
	hashSlots chan struct{}
	// dummyHash is verified against when an address has no password, so
	// an unknown address costs the same time as a wrong password.
	dummyHash string
	inbound   atomic.Pointer[inbound] // inbound mail settings (SetInbound), nil = defaults
}

// Service is the domain, one service per concept (services.go). It is
// safe for concurrent use. Its own methods only plug in what the domain
// calls out to; transports take the services (or small interfaces of
// them) they use.
type Service struct {
	*core
	Inbound       *Inbound       // mail in: receiving, threading, analysis, bounces, the mail log
	Conversations *Conversations // conversations, messages, rows and paging
	Notifications *Notifications // deliveries, seen, timers, notification emails, event streams
	Directory     *Directory     // users, customers, teams, projects, items, members
	Accounts      *Accounts      // sign-in, sessions, passwords, tokens, invitations, setup
	Messaging     *Messaging     // templates, automations, what becomes of outbound emails
	Mailboxes     *Mailboxes     // IMAP mailboxes and settings
	Addresses     *Addresses     // reply and bounce addresses, Message-IDs, links
}

// New returns a Service over st.
func New(st store.Store, cfg Config, clock Clock, log *slog.Logger) *Service {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	cfg.Accounts.defaults()
	c := &core{st: st, cfg: cfg, clock: clock, log: log, hub: newHub(), wake: make(chan struct{}, 1), autoWake: make(chan struct{}, 1)}
	c.hashSlots = make(chan struct{}, cfg.Accounts.MaxConcurrentHashes)
	c.dummyHash = mustDummyHash(cfg.Accounts.Argon2)
	return newServices(c)
}

// SetOutbox plugs in where emails go. Call it before the Service is shared.
func (s *Service) SetOutbox(o Outbox) { s.outbox = o }

// Store returns the underlying store (for transports' read-only needs such
// as the mail log).
func (s *Service) Store() store.Store { return s.st }

// SetBouncer plugs in what applies asynchronous bounces to outbound
// emails. Call it before the Service is shared.
func (s *Service) SetBouncer(b Bouncer) { s.bouncer = b }

// SetPublicURL sets where the API is reached from outside, for links in
// emails, once the listener's address is known. Call it before the
// Service is shared.
func (s *Service) SetPublicURL(u string) { s.cfg.PublicURL = u }
