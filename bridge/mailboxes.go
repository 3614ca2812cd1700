package bridge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/deskgate/deskgate/store"
)

// IMAP mailboxes (SPEC §11): admins connect existing mailboxes; package
// imapfetch works them and hands each message to Receive with a
// MailboxCheckpoint, which Receive applies in the message's own
// transaction, so a message and the checkpoint that says it was taken
// commit together or not at all.

// Mailbox defaults and bounds.
const (
	DefaultMailboxFolder = "INBOX"
	DefaultPollInterval  = 60 * time.Second
	MinPollInterval      = 5 * time.Second
	MaxPollInterval      = 24 * time.Hour
)

// MailboxInput is what an admin gives to connect a mailbox. Empty fields
// take the defaults (port 993 for implicit TLS, else 143; folder INBOX;
// after "seen"; poll every 60 s).
type MailboxInput struct {
	Host         string
	Port         int
	TLS          string
	Username     string
	Password     string
	Folder       string
	After        string
	PollInterval string // a Go duration, "60s"
	ImportSince  string // a date (2026-11-30) or an RFC 3339 time; "" imports only new mail
}

// ErrCheckpointPassed is returned by Receive when the mailbox's checkpoint
// is already at or past the message's UID (another node or an earlier run
// took it), or its UIDVALIDITY changed: nothing was stored.
var ErrCheckpointPassed = errors.New("mailbox checkpoint already past this message")

// ErrLeaseLost is returned by Receive (and the mailbox status calls) when
// another node now holds the mailbox's lease: nothing was stored.
var ErrLeaseLost = errors.New("mailbox lease held by another node")

// MailboxCheckpoint names the message a Receive of IMAP mail stores: the
// mailbox, the node working it, and the UID under UIDVALIDITY (RFC 3501
// §2.3.1.1). Rescan is set while re-reading a folder whose UIDVALIDITY
// changed: a message already received (same Message-ID and sender, or the
// same bytes) then only advances the checkpoint.
type MailboxCheckpoint struct {
	MailboxID   uint64
	Node        string
	UIDValidity uint32
	UID         uint32
	Rescan      bool
	// Backlog marks mail that was in the folder when the mailbox was
	// connected (import_since): the flood limit does not count it.
	Backlog bool
}

// CreateMailbox connects a mailbox (admins only).
func (s *Mailboxes) CreateMailbox(ctx context.Context, c Caller, in MailboxInput) (store.Mailbox, error) {
	if !c.IsAdmin() {
		return store.Mailbox{}, forbiddenOrNotFound(c, "only an admin may connect mailboxes")
	}
	m, err := validMailbox(in)
	if err != nil {
		return store.Mailbox{}, err
	}
	m.CreatedAt = s.clock.Now().UTC()
	m.State = store.MailboxConnecting
	err = s.st.Update(ctx, func(tx store.Tx) error {
		x := m
		if err := tx.CreateMailbox(&x); err != nil {
			return err
		}
		m = x
		return nil
	})
	if err != nil {
		return store.Mailbox{}, storeErr(err, "mailbox")
	}
	s.log.Info("mailbox added; connecting", "mailbox", m.ID, "host", m.Host, "port", m.Port, "user", m.Username, "folder", m.Folder)
	return m, nil
}

func validMailbox(in MailboxInput) (store.Mailbox, error) {
	m := store.Mailbox{Host: strings.TrimSpace(in.Host), Port: in.Port, TLS: in.TLS, Username: in.Username,
		Password: in.Password, Folder: in.Folder, After: in.After}
	switch {
	case m.Host == "" || strings.ContainsAny(m.Host, " /:@") && net.ParseIP(m.Host) == nil:
		return m, errorf(KindInvalid, "host: a host name or IP address is required")
	case m.TLS != store.MailboxTLSImplicit && m.TLS != store.MailboxTLSStartTLS && m.TLS != store.MailboxTLSNone:
		return m, errorf(KindInvalid, "tls: must be implicit, starttls or none")
	case m.TLS == store.MailboxTLSNone && !loopbackHost(m.Host):
		return m, errorf(KindInvalid, "tls: none (a plain-text password) is allowed only to a loopback host")
	case m.Port < 0 || m.Port > 65535:
		return m, errorf(KindInvalid, "port: must be between 1 and 65535")
	case m.Username == "" || m.Password == "":
		return m, errorf(KindInvalid, "username and password: both are required")
	case strings.ContainsAny(m.Username+m.Password, "\r\n\x00"):
		return m, errorf(KindInvalid, "username and password: must not contain line breaks or NUL")
	}
	if m.Port == 0 {
		m.Port = 143
		if m.TLS == store.MailboxTLSImplicit {
			m.Port = 993
		}
	}
	if m.Folder == "" {
		m.Folder = DefaultMailboxFolder
	}
	if m.After == "" {
		m.After = "seen"
	}
	if folder, ok := strings.CutPrefix(m.After, "move:"); ok {
		if folder == "" || folder == m.Folder {
			return m, errorf(KindInvalid, "after: move:<folder> needs a folder other than the one fetched")
		}
	} else if m.After != "seen" && m.After != "delete" {
		return m, errorf(KindInvalid, `after: must be "seen", "move:<folder>" or "delete"`)
	}
	if strings.ContainsAny(m.Folder+m.After, "\r\n\x00") {
		return m, errorf(KindInvalid, "folder: must not contain line breaks or NUL")
	}
	m.PollInterval = DefaultPollInterval
	if in.PollInterval != "" {
		d, err := time.ParseDuration(in.PollInterval)
		if err != nil || d < MinPollInterval || d > MaxPollInterval {
			return m, errorf(KindInvalid, "poll_interval: a duration between %s and %s, like \"60s\"", MinPollInterval, MaxPollInterval)
		}
		m.PollInterval = d
	}
	if in.ImportSince != "" {
		t, err := time.Parse(time.DateOnly, in.ImportSince)
		if err != nil {
			t, err = time.Parse(time.RFC3339, in.ImportSince)
		}
		if err != nil {
			return m, errorf(KindInvalid, "import_since: a date like 2026-11-30 (or an RFC 3339 time)")
		}
		m.ImportSince = t.UTC()
	}
	return m, nil
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Mailboxes lists the connected mailboxes (admins only).
func (s *Mailboxes) Mailboxes(ctx context.Context, c Caller) ([]store.Mailbox, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may list mailboxes")
	}
	out, err := s.AllMailboxes(ctx)
	return out, storeErr(err, "mailboxes")
}

// AllMailboxes lists the mailboxes for the fetcher.
func (s *Mailboxes) AllMailboxes(ctx context.Context) ([]store.Mailbox, error) {
	var out []store.Mailbox
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Mailboxes()
		return err
	})
	if out == nil {
		out = []store.Mailbox{}
	}
	return out, err
}

// DeleteMailbox disconnects mailbox id (admins only); the node working it
// notices at its next write and stops.
func (s *Mailboxes) DeleteMailbox(ctx context.Context, c Caller, id uint64) error {
	if !c.IsAdmin() {
		return forbiddenOrNotFound(c, "only an admin may remove mailboxes")
	}
	err := s.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteMailbox(id) })
	if errors.Is(err, store.ErrNotFound) {
		return notFound("mailbox", id)
	}
	if err == nil {
		s.log.Info("mailbox removed", "mailbox", id)
	}
	return storeErr(err, "mailbox")
}

// ClaimMailbox takes or renews node's lease on mailbox id until now+ttl.
// It reports false (and the holder's record) when another node holds an
// unexpired lease; store.ErrNotFound when the mailbox was removed.
func (s *Mailboxes) ClaimMailbox(ctx context.Context, id uint64, node string, ttl time.Duration) (store.Mailbox, bool, error) {
	var m store.Mailbox
	var ok bool
	err := s.st.Update(ctx, func(tx store.Tx) error {
		got, err := tx.Mailbox(id)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		m, ok = *got, false
		if got.LeaseNode != node && got.LeaseNode != "" && now.Before(got.LeaseUntil) {
			return nil
		}
		if got.LeaseNode != node {
			s.log.Info("mailbox lease taken", "mailbox", id, "node", node, "from", got.LeaseNode)
		}
		got.LeaseNode, got.LeaseUntil = node, now.Add(ttl)
		m, ok = *got, true
		return tx.PutMailbox(got)
	})
	return m, ok, err
}

// ReleaseMailbox gives node's lease on mailbox id up (a clean shutdown),
// so another node need not wait for it to expire.
func (s *Mailboxes) ReleaseMailbox(ctx context.Context, id uint64, node string) error {
	return s.updateMailbox(ctx, id, node, func(m *store.Mailbox) {
		m.LeaseUntil, m.LeaseNode = time.Time{}, ""
		if m.State != store.MailboxError {
			m.State = store.MailboxConnecting // nobody is connected now
		}
	})
}

// SetMailboxStatus records the state of mailbox id as node sees it;
// lastErr "" clears the error. synced also sets last_sync_at.
func (s *Mailboxes) SetMailboxStatus(ctx context.Context, id uint64, node, state, lastErr string, synced bool) error {
	now := s.clock.Now().UTC()
	return s.updateMailbox(ctx, id, node, func(m *store.Mailbox) {
		m.State, m.LastError = state, lastErr
		if synced {
			m.LastSyncAt = now
		}
	})
}

// StartMailbox sets mailbox id's checkpoint: on the first connection, and
// when the folder's UIDVALIDITY changed (RFC 3501 §2.3.1.1).
// backlogUID is the highest UID in the folder at that moment; rescan
// says the UIDVALIDITY changed (the backlog is then read with dedupe).
func (s *Mailboxes) StartMailbox(ctx context.Context, id uint64, node string, uidValidity, lastUID, backlogUID uint32, rescan bool) error {
	return s.updateMailbox(ctx, id, node, func(m *store.Mailbox) {
		m.Started, m.UIDValidity, m.LastUID, m.AfterUID, m.BacklogUID = true, uidValidity, lastUID, lastUID, backlogUID
		m.RescanUID = 0
		if rescan {
			m.RescanUID = backlogUID
		}
	})
}

// SkipMailboxBacklog moves mailbox id's checkpoint to uid, past backlog
// messages the mailbox's window (import_since, or the moment it was
// added) leaves out; `after` is
// marked done with it when it was done up to the checkpoint.
func (s *Mailboxes) SkipMailboxBacklog(ctx context.Context, id uint64, node string, uidValidity, uid uint32) error {
	return s.updateMailbox(ctx, id, node, func(m *store.Mailbox) {
		if m.UIDValidity != uidValidity || uid <= m.LastUID {
			return
		}
		if m.AfterUID == m.LastUID {
			m.AfterUID = uid
		}
		m.LastUID = uid
	})
}

// MailboxAfterDone records that mailbox id's `after` action is done up to
// UID uid (under uidValidity).
func (s *Mailboxes) MailboxAfterDone(ctx context.Context, id uint64, node string, uidValidity, uid uint32) error {
	return s.updateMailbox(ctx, id, node, func(m *store.Mailbox) {
		if m.UIDValidity == uidValidity && uid > m.AfterUID {
			m.AfterUID = min(uid, m.LastUID)
		}
	})
}

// AdvanceMailbox moves mailbox id's checkpoint to cp.UID without a
// message (a mail refused as a loop: its rejection is logged apart).
func (s *Mailboxes) AdvanceMailbox(ctx context.Context, cp MailboxCheckpoint) error {
	return s.updateMailbox(ctx, cp.MailboxID, cp.Node, func(m *store.Mailbox) {
		if m.UIDValidity == cp.UIDValidity && cp.UID > m.LastUID {
			m.LastUID = cp.UID
		}
	})
}

// updateMailbox changes mailbox id by fn in one transaction, if node
// holds its lease (ErrLeaseLost otherwise).
func (s *Mailboxes) updateMailbox(ctx context.Context, id uint64, node string, fn func(*store.Mailbox)) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		m, err := tx.Mailbox(id)
		if err != nil {
			return err
		}
		if m.LeaseNode != node && node != "" {
			return ErrLeaseLost
		}
		fn(m)
		return tx.PutMailbox(m)
	})
}

// contentKey is the Message-ID index key under which IMAP mail is also
// known by its bytes, for dedupe of mail without a Message-ID after a
// UIDVALIDITY change.
func contentKey(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:]) + "@imap.deskgate.invalid"
}

// checkpointTx applies p's mailbox checkpoint first in the message's
// transaction. It reads before it writes, so a refusal (ErrCheckpointPassed,
// ErrLeaseLost, a removed mailbox) commits nothing. skip reports a message
// already received (a rescan after a UIDVALIDITY change): only the
// checkpoint moves.
func (s *Mailboxes) checkpointTx(tx mailboxCheckpointTx, p *prepared) (skip bool, err error) {
	cp := p.env.Mailbox
	m, err := tx.Mailbox(cp.MailboxID)
	if err != nil {
		return false, err
	}
	switch {
	case m.LeaseNode != cp.Node:
		return false, ErrLeaseLost
	case !m.Started || m.UIDValidity != cp.UIDValidity || cp.UID <= m.LastUID:
		return false, ErrCheckpointPassed
	}
	key := contentKey(p.a.Raw)
	if cp.Rescan {
		if _, err := tx.MessageRef(key); err == nil {
			skip = true
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		if duplicateOf(tx, p.a.MessageID, p.sender) != nil {
			skip = true
		}
	}
	m.LastUID = cp.UID
	m.LastSyncAt = p.now.UTC()
	if err := tx.PutMailbox(m); err != nil {
		return false, err
	}
	if skip {
		return true, nil
	}
	return false, tx.PutMessageRef(key, store.MessageRef{Sender: p.sender})
}

// ReceiveIMAP stores a message fetched from an IMAP mailbox through the
// path SMTP mail takes (Receive), with the checkpoint in its transaction.
// Its envelope: the sender is the Return-Path the delivering server
// recorded (RFC 5321 §4.4), else the From address; the recipients are the
// support inbox and the header To/Cc addresses on our domains (reply
// tokens), so replies thread as they would over SMTP.
func (s *Mailboxes) ReceiveIMAP(ctx context.Context, cp MailboxCheckpoint, raw []byte) (Receipt, error) {
	env := Envelope{Source: store.SourceIMAP, Mailbox: &cp, RemoteAddr: fmt.Sprintf("imap mailbox %d", cp.MailboxID)}
	m := mailparse.Read(raw)
	env.From, env.To = s.imapEnvelope(m)
	return s.inb.receive(ctx, env, m)
}

func (s *Mailboxes) imapEnvelope(m *mailparse.Mail) (from string, to []string) {
	main := ""
	if len(s.cfg.Domains) > 0 {
		main = s.cfg.Domains[0]
	}
	to = []string{LocalSupport + "@" + main}
	h, ok := netmailHeader(m)
	if !ok {
		return "", to
	}
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp != "" {
		from = strings.Trim(rp, "<> ")
	} else if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		from = a.Address
	}
	for _, f := range []string{"To", "Cc", "Delivered-To"} {
		list, _ := mail.ParseAddressList(h.Get(f))
		for _, a := range list {
			if r, err := s.inb.resolveRecipient(a.Address); err == nil && r.Kind != rcptInbox {
				to = append(to, a.Address)
			}
		}
	}
	return from, to
}

// netmailHeader is m's header as net/mail reads it (ok false when it
// cannot): m's own fields when net/mail would read the same ones (the
// header verbatim, field names that are tokens, values without control
// characters), else raw's header read by net/mail.
func netmailHeader(m *mailparse.Mail) (interface{ Get(string) string }, bool) {
	if m.HeaderVerbatim() {
		same := true
		fields := m.Header.Fields()
		for same && fields.Next() {
			kv, _ := fields.Raw()
			same = netmailField(kv)
		}
		if same {
			return &m.Header, true
		}
	}
	parsecount.Header()
	msg, err := mail.ReadMessage(strings.NewReader(string(headerOf(m.Raw))))
	if err != nil {
		return nil, false
	}
	return msg.Header, true
}

// netmailField reports whether net/textproto accepts the raw field kv
// (CRLF line breaks): a token name right before the colon, and a value of
// visible characters, spaces and tabs (RFC 7230 §3.2).
func netmailField(kv []byte) bool {
	name, value, ok := bytes.Cut(kv, []byte(":"))
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c >= 0x80 || !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) && !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	for i, c := range value {
		if c == '\r' && i+1 < len(value) && value[i+1] == '\n' || c == '\n' {
			continue
		}
		if c != '\t' && (c < 0x20 || c == 0x7f) {
			return false
		}
	}
	return true
}

// headerOf returns raw's header section with its blank line.
func headerOf(raw []byte) []byte {
	s := string(raw)
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := strings.Index(s, sep); i >= 0 {
			return raw[:i+len(sep)]
		}
	}
	return append(append([]byte{}, raw...), "\r\n\r\n"...)
}
