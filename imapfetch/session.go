package imapfetch

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/mailerr"
	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// worker is the state of one mailbox on this node.
type worker struct {
	m   *Manager
	id  uint64
	log *slog.Logger

	lastErr string // the error last logged and shown, so each is logged once
	// connected: a session of this worker got as far as the folder (the
	// log says "mailbox connected" then, never before).
	connected bool
	synced    bool   // the current session synced at least once
	shown     string // the state last written
	shownAt   time.Time
}

// statusEvery is how often an unchanged state is written again (its
// last_sync_at tells an admin the mailbox is alive).
const statusEvery = 30 * time.Second

// session connects to mailbox mb, syncs it and waits for new mail until
// something fails or ctx ends.
func (w *worker) session(ctx context.Context, mb store.Mailbox) error {
	w.synced = false
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	c, err := w.dial(mb, &imapclient.Options{
		// Runs on the client's reader goroutine: only signal (LIBRARIES.md).
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					signal()
				}
			},
		},
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	cmd := w.m.cfg.CommandTimeout
	if err := within(ctx, c, cmd, func() error { return c.Login(mb.Username, mb.Password).Wait() }); err != nil {
		return fmt.Errorf("login as %q refused by %s: %s", mb.Username, mb.Host, imapText(err))
	}
	var sel *imap.SelectData
	if err := within(ctx, c, cmd, func() (err error) { sel, err = c.Select(mb.Folder, nil).Wait(); return }); err != nil {
		return fmt.Errorf("folder %q cannot be opened: %s", mb.Folder, imapText(err))
	}
	if !w.connected { // once per worker: each reconnect after an error says "recovered"
		w.log.Info("mailbox connected", "folder", mb.Folder)
		w.connected = true
	}
	top := uint32(0) // the highest UID now in the folder
	if sel.UIDNext > 0 {
		top = uint32(sel.UIDNext) - 1
	}
	switch {
	case !mb.Started:
		// From the moment the mailbox was added (or import_since): the
		// folder as it is now is the backlog the window selects from, so
		// mail that came before this first connection is not skipped.
		last := uint32(0)
		if mb.ImportSince.IsZero() && mb.CreatedAt.IsZero() {
			last = top // no moment known: only mail arriving from now on
		}
		if err := w.m.svc.Mailboxes.StartMailbox(ctx, w.id, w.m.cfg.Node, sel.UIDValidity, last, top, false); err != nil {
			return err
		}
		mb.Started, mb.UIDValidity, mb.LastUID, mb.AfterUID, mb.BacklogUID = true, sel.UIDValidity, last, last, top
		w.log.Info("mailbox started", "uidvalidity", sel.UIDValidity, "last_uid", last, "import_since", mb.ImportSince)
	case mb.UIDValidity != sel.UIDValidity:
		// RFC 3501 §2.3.1.1: every UID changed. Read the folder again; what
		// was already received only moves the checkpoint (bridge dedupe by
		// Message-ID and sender, or by content).
		w.log.Warn("mailbox UIDVALIDITY changed: rescanning with dedupe", "old", mb.UIDValidity, "new", sel.UIDValidity)
		if err := w.m.svc.Mailboxes.StartMailbox(ctx, w.id, w.m.cfg.Node, sel.UIDValidity, 0, top, true); err != nil {
			return err
		}
		mb.UIDValidity, mb.LastUID, mb.AfterUID, mb.BacklogUID, mb.RescanUID = sel.UIDValidity, 0, 0, top, top
	}
	// Neither the first backlog nor a rescan imports what predates the
	// mailbox (or import_since).
	win := windowOf(&mb)
	if mb.AfterUID < mb.LastUID {
		if err := w.catchUpAfter(ctx, c, &mb, win); err != nil {
			return err
		}
	}
	idle := c.Caps().Has(imap.CapIdle)
	state := store.MailboxPolling
	if idle {
		state = store.MailboxIdle
	}
	for {
		if err := w.sync(ctx, c, &mb, win); err != nil {
			return err
		}
		w.synced = true
		// The status is written when it changes and at most every
		// statusEvery otherwise (each stored message already moves
		// last_sync_at in its own transaction).
		if w.shown != state || time.Since(w.shownAt) >= statusEvery {
			if err := w.m.svc.Mailboxes.SetMailboxStatus(ctx, w.id, w.m.cfg.Node, state, "", true); err != nil {
				return err
			}
			w.shown, w.shownAt = state, time.Now()
		}
		if w.lastErr != "" {
			w.log.Info("mailbox recovered", "state", state)
			w.lastErr = ""
		}
		if idle {
			err = w.idle(ctx, c, wake)
		} else {
			err = w.poll(ctx, c, wake, mb.PollInterval)
		}
		if err != nil {
			return err
		}
	}
}

// dial connects as mb.TLS says.
func (w *worker) dial(mb store.Mailbox, opts *imapclient.Options) (*imapclient.Client, error) {
	addr := net.JoinHostPort(mb.Host, strconv.Itoa(mb.Port))
	opts.Dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if w.m.cfg.TLS != nil {
		opts.TLSConfig = w.m.cfg.TLS.Clone()
	} else {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	var c *imapclient.Client
	var err error
	switch mb.TLS {
	case store.MailboxTLSImplicit:
		c, err = imapclient.DialTLS(addr, opts)
	case store.MailboxTLSStartTLS:
		c, err = imapclient.DialStartTLS(addr, opts)
	default:
		c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		var te *tls.CertificateVerificationError
		var re tls.RecordHeaderError
		if errors.As(err, &te) || errors.As(err, &re) || strings.Contains(err.Error(), "tls:") {
			return nil, fmt.Errorf("TLS with %s failed: %v", addr, err)
		}
		return nil, fmt.Errorf("cannot connect to %s: %v", addr, err)
	}
	if err := within(context.Background(), c, w.m.cfg.CommandTimeout, c.WaitGreeting); err != nil {
		c.Close()
		return nil, fmt.Errorf("no IMAP greeting from %s: %v", addr, err)
	}
	return c, nil
}

// sync takes every message after the checkpoint, oldest first, in
// batches, and applies `after` to each batch once it is stored.
func (w *worker) sync(ctx context.Context, c *imapclient.Client, mb *store.Mailbox, win window) error {
	for {
		// The backlog (up to BacklogUID) is what the window selects from;
		// above it everything is new mail, whatever its internal date (a
		// message moved in keeps its old one).
		crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(mb.LastUID + 1), Stop: 0}}}}
		if mb.LastUID < mb.BacklogUID {
			crit.UID = []imap.UIDSet{{imap.UIDRange{Start: imap.UID(mb.LastUID + 1), Stop: imap.UID(mb.BacklogUID)}}}
			crit.Since = win.since
		}
		var found *imap.SearchData
		if err := within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) { found, err = c.UIDSearch(crit, nil).Wait(); return }); err != nil {
			return fmt.Errorf("searching folder %q: %s", mb.Folder, imapText(err))
		}
		var uids []imap.UID
		for _, u := range found.AllUIDs() {
			if uint32(u) > mb.LastUID { // "n:*" also names the last message when n is past it
				uids = append(uids, u)
			}
		}
		if len(uids) == 0 {
			if mb.LastUID < mb.BacklogUID { // the backlog holds nothing more to import
				if err := w.m.svc.Mailboxes.SkipMailboxBacklog(ctx, w.id, w.m.cfg.Node, mb.UIDValidity, mb.BacklogUID); err != nil {
					return err
				}
				mb.LastUID = mb.BacklogUID
				continue
			}
			return nil
		}
		slices.Sort(uids)
		if len(uids) > w.m.cfg.Batch {
			uids = uids[:w.m.cfg.Batch]
		}
		kept, err := w.inWindow(ctx, c, mb, win, uids)
		if err != nil {
			return err
		}
		if len(kept) > 0 {
			if err := w.batch(ctx, c, mb, kept); err != nil {
				return err
			}
		}
		// Backlog mail the window left out is passed over, never touched;
		// the checkpoint moves past the last of it.
		if last := uids[len(uids)-1]; len(kept) == 0 || kept[len(kept)-1] != last {
			if err := w.m.svc.Mailboxes.SkipMailboxBacklog(ctx, w.id, w.m.cfg.Node, mb.UIDValidity, uint32(last)); err != nil {
				return err
			}
			mb.LastUID = max(mb.LastUID, uint32(last))
		}
	}
}

// batch fetches uids, stores each message with its checkpoint, then
// applies `after` to the ones stored (or already stored before).
func (w *worker) batch(ctx context.Context, c *imapclient.Client, mb *store.Mailbox, uids []imap.UID) error {
	// Sizes first (RFC 3501 §6.4.5 RFC822.SIZE): an oversized message is
	// never read into memory.
	var sizes []*imapclient.FetchMessageBuffer
	err := within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) {
		sizes, err = c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		return
	})
	if err != nil {
		return fmt.Errorf("fetching message sizes from folder %q: %s", mb.Folder, imapText(err))
	}
	var fetch []imap.UID
	tooBig := map[imap.UID]int64{}
	for _, m := range sizes {
		if m.RFC822Size > w.m.cfg.MaxMessageBytes {
			tooBig[m.UID] = m.RFC822Size
		} else {
			fetch = append(fetch, m.UID)
		}
	}
	section := &imap.FetchItemBodySection{Peek: true}
	var msgs []*imapclient.FetchMessageBuffer
	if len(fetch) > 0 {
		err = within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) {
			msgs, err = c.Fetch(imap.UIDSetNum(fetch...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			return
		})
		if err != nil {
			return fmt.Errorf("fetching messages from folder %q: %s", mb.Folder, imapText(err))
		}
	}
	for uid, size := range tooBig {
		msgs = append(msgs, &imapclient.FetchMessageBuffer{UID: uid, RFC822Size: size})
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	var done []imap.UID
	for _, msg := range msgs {
		cp := bridge.MailboxCheckpoint{MailboxID: w.id, Node: w.m.cfg.Node, UIDValidity: mb.UIDValidity, UID: uint32(msg.UID), Rescan: uint32(msg.UID) <= mb.RescanUID,
			Backlog: uint32(msg.UID) <= mb.BacklogUID}
		if size, big := tooBig[msg.UID]; big {
			// Left in the folder for a person; only the checkpoint moves.
			w.m.svc.Inbound.LogRejection(ctx, bridge.Envelope{Source: store.SourceIMAP, RemoteAddr: fmt.Sprintf("imap mailbox %d", w.id)},
				fmt.Sprintf("IMAP mailbox %d, UID %d: %d bytes, more than the %d bytes accepted; left in folder %q", w.id, msg.UID, size, w.m.cfg.MaxMessageBytes, mb.Folder))
			if err := w.m.svc.Mailboxes.AdvanceMailbox(ctx, cp); err != nil {
				return err
			}
			w.m.metrics.messages.WithLabelValues(resultRejected).Inc()
			mb.LastUID = max(mb.LastUID, uint32(msg.UID))
			continue
		}
		_, err := w.m.svc.Mailboxes.ReceiveIMAP(ctx, cp, msg.FindBodySection(section))
		var me *mailerr.Error
		switch {
		case err == nil:
			w.m.metrics.messages.WithLabelValues(resultStored).Inc()
		case errors.Is(err, bridge.ErrCheckpointPassed):
			w.m.metrics.messages.WithLabelValues(resultSeen).Inc()
		case errors.Is(err, bridge.ErrLeaseLost), errors.Is(err, store.ErrNotFound):
			return err
		case errors.As(err, &me) && me.Code >= 500:
			// Refused for good (a mail loop) and logged as rejected: move on.
			if err := w.m.svc.Mailboxes.AdvanceMailbox(ctx, cp); err != nil {
				return err
			}
			w.m.metrics.messages.WithLabelValues(resultRejected).Inc()
		default:
			return fmt.Errorf("storing message UID %d: %v", msg.UID, err)
		}
		mb.LastUID = max(mb.LastUID, uint32(msg.UID))
		done = append(done, msg.UID)
	}
	// UIDs the search named but the fetch did not return were expunged meanwhile.
	if n := len(uids); n > 0 {
		mb.LastUID = max(mb.LastUID, uint32(uids[n-1]))
	}
	if len(done) == 0 {
		return nil
	}
	if err := w.after(ctx, c, mb, done); err != nil {
		return fmt.Errorf("after %q: %s", mb.After, imapText(err))
	}
	return w.m.svc.Mailboxes.MailboxAfterDone(ctx, w.id, w.m.cfg.Node, mb.UIDValidity, uint32(done[len(done)-1]))
}

// catchUpAfter applies `after` to messages stored before a crash (or a
// lost connection) cut the session between the commit and the action:
// those between AfterUID and LastUID still in the folder.
func (w *worker) catchUpAfter(ctx context.Context, c *imapclient.Client, mb *store.Mailbox, win window) error {
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(mb.AfterUID + 1), Stop: imap.UID(mb.LastUID)}}}}
	if mb.AfterUID < mb.BacklogUID {
		// Never touch backlog mail the window left out. (Messages above
		// the backlog that are this old would be skipped here too: they
		// keep no `after`, which errs on the side of leaving mail.)
		crit.Since = win.since
	}
	var found *imap.SearchData
	if err := within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) { found, err = c.UIDSearch(crit, nil).Wait(); return }); err != nil {
		return fmt.Errorf("searching folder %q: %s", mb.Folder, imapText(err))
	}
	uids := found.AllUIDs()
	slices.Sort(uids)
	uids, err := w.inWindow(ctx, c, mb, win, uids)
	if err != nil {
		return err
	}
	if len(uids) > 0 {
		w.log.Info("applying after to messages stored before an interruption", "after", mb.After, "count", len(uids))
		if err := w.after(ctx, c, mb, uids); err != nil {
			return fmt.Errorf("after %q: %s", mb.After, imapText(err))
		}
	}
	return w.m.svc.Mailboxes.MailboxAfterDone(ctx, w.id, w.m.cfg.Node, mb.UIDValidity, mb.LastUID)
}

// after applies the mailbox's `after` to stored messages: \Seen, MOVE
// (RFC 6851; COPY, \Deleted and EXPUNGE where MOVE is missing) or
// \Deleted and EXPUNGE (UID EXPUNGE, RFC 4315, where offered).
func (w *worker) after(ctx context.Context, c *imapclient.Client, mb *store.Mailbox, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	to := w.m.cfg.CommandTimeout
	flag := func(f imap.Flag) error {
		return within(ctx, c, to, func() error {
			return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{f}}, nil).Close()
		})
	}
	expunge := func() error {
		return within(ctx, c, to, func() error {
			if c.Caps().Has(imap.CapUIDPlus) {
				return c.UIDExpunge(set).Close()
			}
			return c.Expunge().Close()
		})
	}
	if folder, ok := strings.CutPrefix(mb.After, "move:"); ok {
		if c.Caps().Has(imap.CapMove) {
			return within(ctx, c, to, func() error { _, err := c.Move(set, folder).Wait(); return err })
		}
		if err := within(ctx, c, to, func() error { _, err := c.Copy(set, folder).Wait(); return err }); err != nil {
			return err
		}
		if err := flag(imap.FlagDeleted); err != nil {
			return err
		}
		return expunge()
	}
	switch mb.After {
	case "delete":
		if err := flag(imap.FlagDeleted); err != nil {
			return err
		}
		return expunge()
	default:
		return flag(imap.FlagSeen)
	}
}

// idle waits with IDLE until the server announces mail, the watchdog
// period ends (the IDLE is then re-issued after a sync, which also proves
// the link alive) or ctx ends.
func (w *worker) idle(ctx context.Context, c *imapclient.Client, wake <-chan struct{}) error {
	select {
	case <-wake: // mail arrived while we synced
		return nil
	default:
	}
	var cmd *imapclient.IdleCommand
	if err := within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) { cmd, err = c.Idle(); return }); err != nil {
		return fmt.Errorf("IDLE refused: %s", imapText(err))
	}
	t := time.NewTimer(w.m.cfg.IdleRefresh)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
	case <-c.Closed():
	}
	// DONE, then the tagged OK; a dead link never answers, and within
	// closes the connection after the timeout.
	err := within(ctx, c, w.m.cfg.CommandTimeout, func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
	if err != nil {
		return fmt.Errorf("connection lost while waiting with IDLE: %s", imapText(err))
	}
	return ctx.Err()
}

// poll waits poll_interval (or for unilateral news) where there is no
// IDLE; the next sync's commands also show whether the link is alive.
func (w *worker) poll(ctx context.Context, c *imapclient.Client, wake <-chan struct{}, every time.Duration) error {
	t := time.NewTimer(every)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.Closed():
		return errors.New("connection closed by the server")
	}
	return nil
}

// failed shows err as the mailbox's state and logs it once: the same
// error again is logged at debug level only.
func (w *worker) failed(ctx context.Context, err error, retry time.Duration) {
	msg := err.Error()
	w.shown = store.MailboxError
	if msg != w.lastErr {
		w.log.Warn("mailbox error", "err", msg, "retry_in", retry)
		w.lastErr = msg
	} else {
		w.log.Debug("mailbox error again", "err", msg, "retry_in", retry)
	}
	if serr := w.m.svc.Mailboxes.SetMailboxStatus(ctx, w.id, w.m.cfg.Node, store.MailboxError, msg, false); serr != nil && ctx.Err() == nil &&
		!errors.Is(serr, store.ErrNotFound) && !errors.Is(serr, bridge.ErrLeaseLost) {
		w.log.Warn("recording mailbox error", "err", serr)
	}
}

// within runs fn (an IMAP command and its wait) and closes the connection
// when it takes longer than d or ctx ends: go-imap has no timeouts of its
// own, so a dead server would block the command for ever.
func within(ctx context.Context, c *imapclient.Client, d time.Duration, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		c.Close()
		<-done
		return fmt.Errorf("no answer within %s: connection dropped", d)
	case <-ctx.Done():
		c.Close()
		<-done
		return ctx.Err()
	}
}

// imapText is the server's words for a failed command (its NO/BAD text),
// else the error.
func imapText(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		if ie.Code != "" {
			return fmt.Sprintf("%s [%s]", ie.Text, ie.Code)
		}
		return ie.Text
	}
	return err.Error()
}
