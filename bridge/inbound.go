package bridge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/loopguard"
	"github.com/deskgate/deskgate/mailerr"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/store"
)

// Inbound mail (SPEC §3, §6): what happens to a message once the SMTP
// server (or IMAP ingestion) has it. Receive parses and classifies it
// outside any transaction, then stores the message, its mail log entry,
// its raw bytes and the notifications it causes in ONE write transaction
// shared with the other sessions storing at the same moment (group
// commit, groupcommit.go: like store.Batch, without its wait), and
// returns only after that commit: a 250 means stored.

// Envelope is the SMTP envelope of an inbound message (RFC 5321 §2.3.1).
type Envelope struct {
	From       string   // MAIL FROM; "" is the null reverse path (a bounce)
	To         []string // accepted RCPT TO addresses
	RemoteAddr string   // the client's IP:port, for the log and SPF
	Helo       string   // the EHLO/HELO name, for SPF (RFC 7208 §2.3)
	Source     string   // store.SourceSMTP (default) or store.SourceIMAP
	// Mailbox, for IMAP mail, is the checkpoint committed with the
	// message (mailboxes.go); nil for SMTP.
	Mailbox *MailboxCheckpoint
	// Trace is the Received field the transport adds (RFC 5321 §4.4),
	// ending in CRLF; it is prepended to the stored raw message and not
	// counted as a hop.
	Trace string
}

// Receipt says what Receive did, one entry per mail log entry written.
type Receipt struct {
	Entries []ReceiptEntry
}

// ReceiptEntry is one outcome: a message posted, or why none was.
type ReceiptEntry struct {
	MailLogID      uint64
	Status         string // InThreaded, InCreated, InSuppressed, InBounce or InRejected
	Detail         string
	ConversationID uint64
	MessageID      uint64
}

// Inbound mail log statuses (SPEC §6).
const (
	InThreaded   = "threaded"   // added to an existing conversation
	InCreated    = "created"    // started a new conversation
	InSuppressed = "suppressed" // not posted: loop guard, flood, untrusted sender, duplicate
	InBounce     = "bounce"     // a delivery status notification, applied to the outbound email
	InRejected   = "rejected"   // refused at SMTP time (RCPT or DATA); no raw kept
)

// InboundConfig tunes inbound mail. Zero fields take the defaults below.
type InboundConfig struct {
	// Guard classifies mail (human, autoreply, bounce, list, own); nil
	// builds one from the Service's Hostname and Domains.
	Guard *loopguard.Guard
	// FloodLimit mails per FloodWindow per sender address are posted;
	// more are suppressed (reason "flood"). 0 disables.
	FloodLimit  int
	FloodWindow time.Duration
	// Auth checks who really sent each mail (SPF, DKIM, DMARC, ARC: SPEC
	// §12, authtrust.go); nil turns the checks off: then no From is
	// trusted as a staff user and none is marked unverified.
	Auth *senderauth.Checker
	// DMARCMonitorOnly keeps p=reject failures (DESKGATE_DMARC_ENFORCE=
	// false): they are accepted, unverified, instead of refused.
	DMARCMonitorOnly bool
	// BounceCooling is how long a hard-bounced address gets no email
	// (default 24 h).
	BounceCooling time.Duration
	// MaxHops is the most Received fields a mail may carry (default 50,
	// Postfix's hopcount_limit); more is a loop: 554 5.4.6.
	MaxHops int
	// IgnoreCc keeps the people a customer copies out of the conversation
	// (see ccjoin.go); by default they join it as its customers.
	IgnoreCc bool
}

// Defaults of InboundConfig.
const (
	DefaultBounceCooling = 24 * time.Hour
	DefaultMaxHops       = 50
)

// inbound is the Service's inbound state.
type inbound struct {
	cfg   InboundConfig
	guard *loopguard.Guard
	flood bool // the flood limit is on (floodTx counts)
}

// SetInbound configures inbound mail. Call it before the Service is shared.
func (s *Inbound) SetInbound(c InboundConfig) { s.inbound.Store(s.newInbound(c)) }

func (s *Inbound) newInbound(c InboundConfig) *inbound {
	if c.BounceCooling <= 0 {
		c.BounceCooling = DefaultBounceCooling
	}
	if c.MaxHops <= 0 {
		c.MaxHops = DefaultMaxHops
	}
	in := &inbound{cfg: c, guard: c.Guard}
	if in.guard == nil {
		in.guard = loopguard.New(loopguard.Config{Hostname: s.cfg.Hostname, Domains: s.cfg.Domains})
	}
	in.flood = c.FloodLimit > 0 && c.FloodWindow > 0
	return in
}

// in returns the inbound state, building the defaults on first use.
func (s *Inbound) in() *inbound {
	if in := s.inbound.Load(); in != nil {
		return in
	}
	s.inbound.CompareAndSwap(nil, s.newInbound(InboundConfig{}))
	return s.inbound.Load()
}

// Guard returns the loop guard inbound mail is classified with (for
// `deskgate inspect`, which must decide as the server does).
func (s *Inbound) Guard() *loopguard.Guard { return s.in().guard }

// prepared is what Receive learns before its transaction: nothing here
// may depend on the store's state at commit time except as a hint.
type prepared struct {
	a      *Analysis
	env    Envelope
	rcpts  []inboundRcpt
	sender string // From address (or envelope sender), lower-cased
	// floodInTx: the flood limit is counted in the store, inside the
	// transaction, on every backend: several nodes may share it (SPEC §8),
	// and a restart does not reset the count.
	floodInTx bool
	// auth is what the sender checks found (nil: checks off).
	auth *senderauth.Results
	// trust: for a sender that is a staff user, whether the mail may be
	// posted as that user, and why.
	trusted  bool
	trustWhy string
	// unverified: the From fails DMARC (SPEC §12): not trusted as anyone's
	// address for threading, and its message is marked unverified.
	unverified bool
	now        time.Time
}

// Receive stores an inbound message (SPEC §3, §6) and returns after the
// commit. Its error is a *mailerr.Error: 554 5.4.6 for a mail loop, 550
// 5.1.1 when no recipient is ours, 451 4.3.0 when storage failed (the
// sender retries; nothing was stored).
func (s *Inbound) Receive(ctx context.Context, env Envelope, raw []byte) (Receipt, error) {
	return s.receive(ctx, env, mailparse.Read(raw))
}

// receive is Receive of a mail read once by mailparse.Read.
func (s *Inbound) receive(ctx context.Context, env Envelope, mail *mailparse.Mail) (Receipt, error) {
	raw := mail.Raw
	in := s.in()
	if env.Source == "" {
		env.Source = store.SourceSMTP
	}
	a := AnalyzeMail(mail, env.From, in.guard)
	p := &prepared{a: &a, env: env, now: s.clock.Now()}
	p.sender = store.NormalizeEmail(a.From)
	if p.sender == "" {
		p.sender = store.NormalizeEmail(env.From)
	}
	if a.Hops > in.cfg.MaxHops {
		err := mailerr.ErrTooManyHops
		s.logRejection(ctx, env, p.sender, a.Subject, fmt.Sprintf("%d Received headers (more than %d): %s", a.Hops, in.cfg.MaxHops, err.Message), nil)
		return Receipt{}, err
	}
	for _, to := range env.To {
		if r, err := s.resolveRecipient(to); err == nil {
			p.rcpts = append(p.rcpts, r)
		}
	}
	if len(p.rcpts) == 0 {
		return Receipt{}, mailerr.ErrNoSuchUser
	}
	if err := s.checkSender(ctx, in, p, raw); err != nil {
		return Receipt{}, err
	}
	// A mailbox's backlog (import_since) is old mail read at once, not a
	// flood arriving: it is not counted.
	backlog := env.Mailbox != nil && env.Mailbox.Backlog
	if in.flood && a.Class == loopguard.Human && !p.hasKind(rcptBounce) && p.sender != "" && !backlog {
		p.floodInTx = true
	}
	var rec Receipt
	var ds []store.Delivery
	var queued bool // an automation event was queued: wake the worker
	err := s.st.Update(ctx, func(tx store.Tx) error {
		rec, ds, queued = Receipt{}, nil, false // the function may run twice
		var err error
		if ds, err = s.receiveTx(ctx, tx, in, p, &rec); err != nil {
			return err
		}
		// The automations' events commit with the mail: none is lost
		// to a crash after the 250, and none delays it.
		for _, e := range rec.Entries {
			if e.MessageID != 0 && (e.Status == InThreaded || e.Status == InCreated) {
				q, err := s.msgs.queueInbound(tx, e.MessageID, e.Status == InCreated, p.noAutoAnswer())
				if err != nil {
					return err
				}
				queued = queued || q
			}
		}
		return nil
	})
	if errors.Is(err, ErrCheckpointPassed) || errors.Is(err, ErrLeaseLost) {
		return Receipt{}, err // IMAP: another run or node has it; nothing stored
	}
	if err != nil {
		s.log.Error("storing inbound mail", "from", p.sender, "err", err)
		return Receipt{}, mailerr.Storage(err)
	}
	s.notes.afterCommit(ds)
	if queued {
		s.msgs.kickAutomations()
	}
	for _, e := range rec.Entries {
		s.log.Info("inbound mail", "id", e.MailLogID, "from", p.sender, "status", e.Status, "detail", e.Detail, "remote", env.RemoteAddr)
	}
	return rec, nil
}

// noAutoAnswer is why the sender may get no automatic answer ("" when
// they may): see loopguard.Guard.AutoAnswer.
func (p *prepared) noAutoAnswer() string {
	if p.a.AutoAnswer {
		return ""
	}
	return p.a.AutoAnswerReason
}

func (p *prepared) hasKind(kind string) bool {
	for _, r := range p.rcpts {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

// receiveTx is the whole inbound decision and its writes, in one
// transaction. It must be idempotent (a group commit may run it twice): all
// it changes lives in tx, rec and the returned deliveries.
func (s *Inbound) receiveTx(ctx context.Context, tx receivingTx, in *inbound, p *prepared, rec *Receipt) ([]store.Delivery, error) {
	a := p.a
	if p.env.Mailbox != nil {
		if skip, err := s.boxes.checkpointTx(tx, p); err != nil || skip {
			return nil, err
		}
	}
	flooded := false
	if p.floodInTx {
		var err error
		if flooded, err = s.floodTx(tx, in, p.sender); err != nil {
			return nil, err
		}
	}
	switch {
	case a.Class == loopguard.Bounce || (p.hasKind(rcptBounce) && a.Class == loopguard.Human && p.env.From == ""):
		return nil, s.bounceTx(tx, in, p, rec)
	case a.Class != loopguard.Human:
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed, Detail: string(a.Class) + ": " + a.Reason})
	case p.hasKind(rcptBounce):
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed, Detail: "mail to a bounce address that is not a delivery status notification"})
	case flooded:
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed,
			Detail: fmt.Sprintf("flood: more than %d mails from %s within %s", in.cfg.FloodLimit, p.sender, in.cfg.FloodWindow)})
	}
	// The first reads of every mail, in one statement on PostgreSQL: its
	// Message-ID (a duplicate?), those it answers (threading) and its
	// sender as a customer; with them the ids of the message and the
	// mail log entry it will most likely write.
	if err := store.PrefetchInbound(tx, store.InboundReads{
		MessageIDs: slices.Concat([]string{a.MessageID}, a.InReplyTo, a.References),
		Customers:  []string{p.sender},
		NewIDs:     store.NewIDs{Messages: 1, MailLog: 1},
	}); err != nil {
		return nil, err
	}
	if dup := duplicateOf(tx, a.MessageID, p.sender); dup != nil {
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed, ConversationID: dup.ConversationID,
			Detail: fmt.Sprintf("duplicate: Message-ID <%s> from %s already received as message %d", a.MessageID, p.sender, dup.MessageID)})
	}
	au, why, err := s.inboundAuthor(tx, p)
	if err != nil {
		return nil, err
	}
	if why != "" {
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed, Detail: why})
	}
	targets, err := s.targetsTx(tx, p, au)
	if err != nil {
		return nil, err
	}
	var out []store.Delivery
	for _, t := range targets {
		ds, err := s.postInboundTx(ctx, tx, p, au, t, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// duplicateOf finds a message already received with this Message-ID from
// this sender (a retry whose 250 was lost, or the same mail by two paths).
func duplicateOf(tx store.MessagesTx, msgID, sender string) *store.MessageRef {
	if msgID == "" {
		return nil
	}
	ref, err := tx.MessageRef(msgID)
	if err != nil || ref.MessageID == 0 || ref.Sender != sender {
		return nil
	}
	return ref
}

// logTx writes one mail log entry (with the raw message) and records it.
func (s *Inbound) logTx(tx store.MailLogTx, p *prepared, rec *Receipt, r ReceiptEntry) error {
	e := s.entry(p)
	e.Status, e.Detail, e.ConversationID, e.MessageIDInt = r.Status, r.Detail, r.ConversationID, r.MessageID
	if err := tx.AddMailLog(&e, p.a.Raw); err != nil {
		return err
	}
	r.MailLogID = e.ID
	rec.Entries = append(rec.Entries, r)
	return nil
}

// entry is the mail log entry of p before its outcome is known.
func (s *Inbound) entry(p *prepared) store.MailLogEntry {
	return store.MailLogEntry{
		Direction: store.DirInbound, At: p.now, From: p.sender, To: strings.Join(p.env.To, ", "),
		Subject: p.a.Subject, MessageID: p.a.MessageID, Class: string(p.a.Class), Auth: mailAuth(p.auth),
		Source: p.env.Source, AutoAnswer: &p.a.AutoAnswer, AutoAnswerReason: p.a.AutoAnswerReason,
	}
}

// LogRejection records a mail refused at SMTP time (RCPT or DATA) as
// `rejected`, without raw (SPEC §6). It commits in a group commit and
// never fails the SMTP reply: a logging failure is only logged.
func (s *Inbound) LogRejection(ctx context.Context, env Envelope, detail string) {
	s.logRejection(ctx, env, store.NormalizeEmail(env.From), "", detail, nil)
}

func (s *Inbound) logRejection(ctx context.Context, env Envelope, from, subject, detail string, auth *senderauth.Results) {
	e := store.MailLogEntry{Direction: store.DirInbound, At: s.clock.Now(), From: from,
		To: strings.Join(env.To, ", "), Subject: subject, Status: InRejected, Detail: detail, Auth: mailAuth(auth), Source: env.Source}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		x := e
		return tx.AddMailLog(&x, nil)
	})
	if err != nil {
		s.log.Error("logging a rejected mail", "from", from, "err", err)
	}
	s.log.Info("inbound mail rejected", "from", from, "to", e.To, "detail", detail, "remote", env.RemoteAddr)
}
