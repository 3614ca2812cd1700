package bridge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
)

// fireBatch is how many due timers one transaction fires: one commit (two
// fsyncs) for the lot instead of one per timer, so a burst of thousands of
// due timers fires within a second. Each email is still queued in the
// same transaction that removes its timer.
const fireBatch = 256

// pollEvery is the longest the timer loop sleeps; retryAfter is how long a
// timer that failed to fire waits before the next attempt.
const (
	pollEvery  = time.Second
	retryAfter = time.Minute
)

// TimerClock is a Clock that can also wait. The timer loop sleeps with it
// when the Service's clock implements it (a test's fake clock then wakes
// the loop by advancing), and with real timers otherwise.
type TimerClock interface {
	Clock
	// After is like time.After, on this clock's time.
	After(d time.Duration) <-chan time.Time
}

// wakeTimers tells the timer loop that a timer may have been added.
func (s *Notifications) wakeTimers() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunTimers fires unseen-email timers when they fall due, until ctx ends.
// Timers live in the store, so overdue ones (after a restart) fire at
// once. It sleeps until the earliest timer is due, at most pollEvery (a
// message whose timer could fall due sooner wakes it early); after an
// error it waits pollEvery before it tries again.
func (s *Notifications) RunTimers(ctx context.Context) error {
	for {
		wait := pollEvery
		if err := s.FireDue(ctx); err != nil {
			s.log.Error("firing timers", "err", err)
		} else {
			wait = s.untilNextTimer(ctx)
		}
		stop := func() {}
		var fired <-chan time.Time
		if tc, ok := s.clock.(TimerClock); ok {
			fired = tc.After(wait)
		} else {
			t := time.NewTimer(wait)
			fired, stop = t.C, func() { t.Stop() }
		}
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-s.wake:
		case <-fired:
		}
		stop()
	}
}

// minWait is the shortest sleep of the timer loop.
const minWait = 10 * time.Millisecond

// untilNextTimer is how long the loop may sleep: until the earliest timer
// is due, at most pollEvery.
func (s *Notifications) untilNextTimer(ctx context.Context) time.Duration {
	var next time.Time
	var ok bool
	if err := s.st.View(ctx, func(tx store.Tx) error { var err error; next, ok, err = tx.NextTimer(); return err }); err != nil || !ok {
		return pollEvery
	}
	// At least minWait: a timer still due after FireDue is one another
	// node's transaction holds (SKIP LOCKED), not one to spin on.
	return min(max(next.Sub(s.clock.Now()), minWait), pollEvery)
}

// firingWorkers is how many batches FireDue fires at once.
func (s *Notifications) firingWorkers() int {
	if p, ok := s.st.(store.ParallelWriter); ok {
		return max(p.ParallelWrites(), 1)
	}
	return 1
}

// FireDue fires every timer due now, fireBatch per transaction, and
// returns when none is left. A timer that fails to fire is logged and put
// off by retryAfter, so it cannot hold up the others. On a store that
// writes in parallel, a batch that claims a full fireBatch of timers
// starts another firer beside it (up to ParallelWrites): each claims its
// own timers (DueTimers locks FOR UPDATE SKIP LOCKED; a timer another
// transaction holds is skipped, not waited for), so each timer still
// fires once, and a trickle of due timers keeps to one transaction at a
// time.
func (s *Notifications) FireDue(ctx context.Context) error {
	f := &firers{s: s, ctx: ctx, max: s.firingWorkers()}
	f.start()
	f.wg.Wait()
	return f.err
}

// firers are the goroutines of one FireDue.
type firers struct {
	s   *Notifications
	ctx context.Context
	max int

	wg      sync.WaitGroup
	mu      sync.Mutex
	running int
	err     error // the first
}

// start starts a firer.
func (f *firers) start() {
	f.mu.Lock()
	f.running++
	f.mu.Unlock()
	f.wg.Go(func() {
		err := f.s.fireUntilNone(f.ctx, f.more)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.running--
		if err != nil && f.err == nil {
			f.err = err
		}
	})
}

// more starts another firer, if fewer than max run: a batch just claimed
// a full fireBatch, so more may be due.
func (f *firers) more() {
	f.mu.Lock()
	ok := f.running < f.max
	f.mu.Unlock()
	if ok {
		f.start()
	}
}

// fireUntilNone fires batches of due timers until it finds none it can
// claim; full is called when a batch claims a full fireBatch.
func (s *Notifications) fireUntilNone(ctx context.Context, full func()) error {
	// A batch once started commits even when ctx ends meanwhile (shutdown
	// stops between batches): an email handed to the outbox is never
	// rolled back under it.
	run := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		now := s.clock.Now()
		if !s.anyDue(ctx, now) {
			return nil // a read, so an idle loop commits nothing
		}
		n, err := s.fireBatch(run, now, full)
		if err != nil {
			if n, err = s.fireOneByOne(run, now); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil // the due ones left are held by other transactions
		}
	}
	return nil
}

// anyDue reports whether a timer is due at now.
func (s *Notifications) anyDue(ctx context.Context, now time.Time) bool {
	due := false
	_ = s.st.View(ctx, func(tx store.Tx) error {
		next, ok, err := tx.NextTimer()
		due = ok && !next.After(now)
		return err
	})
	return due
}

// fireBatch fires up to fireBatch timers due at now in one transaction
// and reports how many it found due. It calls full when it claims a full
// fireBatch, before it fires them.
func (s *Notifications) fireBatch(ctx context.Context, now time.Time, full func()) (int, error) {
	n, enqueued := 0, false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		n, enqueued = 0, false
		due, err := tx.DueTimers(now, fireBatch)
		if err != nil {
			return err
		}
		n = len(due)
		if n == fireBatch {
			full()
		}
		cache := newEmailCache()
		var emails uint64
		for _, t := range due {
			e, err := s.fireTx(tx, t, now, cache)
			if err != nil {
				return fmt.Errorf("fire timer %s %d conv %d: %w", t.Recipient.Type, t.Recipient.ID, t.Conversation, err)
			}
			if e {
				enqueued, emails = true, emails+1
			}
		}
		// Last, so that on PostgreSQL the counter's row is locked only
		// for the commit.
		return tx.AddBuiltinRuns(NotificationAutomationID, emails)
	})
	if err != nil {
		return 0, err
	}
	s.kick(enqueued)
	return n, nil
}

// fireOneByOne is the way out when a batch fails: it fires the due timers
// of one batch each in its own transaction; one that fails again is logged
// and put off by retryAfter.
func (s *Notifications) fireOneByOne(ctx context.Context, now time.Time) (int, error) {
	var due []store.Timer
	if err := s.st.View(ctx, func(tx store.Tx) error { var err error; due, err = tx.DueTimers(now, fireBatch); return err }); err != nil {
		return 0, fmt.Errorf("read due timers: %w", err)
	}
	for _, t := range due {
		enqueued := false
		err := s.st.Update(ctx, func(tx store.Tx) error {
			var err error
			if enqueued, err = s.fireTx(tx, t, now, newEmailCache()); err != nil || !enqueued {
				return err
			}
			return tx.AddBuiltinRuns(NotificationAutomationID, 1)
		})
		if err == nil {
			s.kick(enqueued)
			continue
		}
		s.log.Error("firing timer, retrying later", "recipient_type", t.Recipient.Type, "recipient_id", t.Recipient.ID,
			"conversation_id", t.Conversation, "retry_after", retryAfter, "err", err)
		if err := s.st.Update(ctx, func(tx store.Tx) error {
			return tx.ReplaceTimer(t.Recipient, t.Conversation, now.Add(retryAfter))
		}); err != nil {
			return 0, fmt.Errorf("put off timer: %w", err)
		}
	}
	return len(due), nil
}

func (s *Notifications) kick(enqueued bool) {
	if enqueued && s.outbox != nil {
		s.outbox.Kick()
	}
}

// fireTx emails recipient t.Recipient the messages of t.Conversation that
// are due and still unseen, as one email, and reschedules for the rest, in
// tx. The email is queued in the transaction that removes the timer, so a
// crash can neither lose it nor queue it twice. It reports whether it
// queued an email.
func (s *Notifications) fireTx(tx timerFireTx, t store.Timer, now time.Time, cache *emailCache) (bool, error) {
	cur, ok, err := tx.TimerDue(t.Recipient, t.Conversation)
	if err != nil {
		return false, err
	}
	if !ok || !cur.Equal(t.Due) {
		// Seen or moved since it was read; an entry left behind (it
		// cannot be, short of a damaged file) would stay due forever.
		_, err := tx.DropStaleTimer(t)
		return false, err
	}
	pending, err := pendingOf(tx, t.Recipient, t.Conversation)
	if err != nil {
		return false, err
	}
	// Once the earliest unseen message falls due, the email carries every
	// unseen message of the conversation, those posted since included: a
	// burst of posts makes one email, not one per post (SPEC §4, §9).
	var next time.Time // when the earliest falls due
	anyDue := false
	for _, d := range pending {
		switch due := d.NotifiedAt.Add(s.cfg.UnseenDelay); {
		case !due.After(now):
			anyDue = true
		case next.IsZero() || due.Before(next):
			next = due
		}
	}
	enqueued := false
	if anyDue {
		if enqueued, err = s.emailTx(tx, t, pending, now, cache); err != nil {
			return false, err
		}
		next = time.Time{}
	}
	if next.IsZero() {
		return enqueued, tx.DeleteTimer(t.Recipient, t.Conversation)
	}
	return enqueued, tx.ReplaceTimer(t.Recipient, t.Conversation, next)
}

// emailTx hands one email of ds (due, unseen, one conversation, one
// recipient) to the outbox and records it on each delivery. It reports
// whether it queued anything.
func (s *Notifications) emailTx(tx notificationSendTx, t store.Timer, ds []store.Delivery, now time.Time, cache *emailCache) (bool, error) {
	status, detail := store.EmailQueued, ""
	var id uint64
	e, err := s.buildEmail(tx, t, ds, cache)
	switch {
	case err != nil:
		return false, err
	case s.outbox == nil:
		status, detail = store.EmailSkipped, "no outbound mail configured"
	default:
		reason, err := s.msgs.suppressed(tx, e, now)
		if err != nil {
			return false, err
		}
		if reason != "" {
			status, detail = store.EmailSkipped, reason
			break
		}
		if id, err = s.outbox.Enqueue(tx, e); err != nil {
			return false, fmt.Errorf("enqueue: %w", err)
		}
		if err := tx.PutMessageRef(e.MessageID, store.MessageRef{ConversationID: t.Conversation, Sender: e.Recipient.Email}); err != nil {
			return false, err
		}
		if err := s.msgs.recordSent(tx, e, now); err != nil {
			return false, err
		}
		detail = e.Cause
	}
	for i := range ds {
		d := &ds[i]
		d.EmailStatus, d.Detail = status, detail
		if id != 0 {
			d.OutboundID, d.EmailedAt = id, &now
			if err := tx.LinkEmail(id, d); err != nil {
				return false, err
			}
		}
		if err := tx.PutDelivery(d); err != nil {
			return false, err
		}
	}
	return id != 0, nil
}

// buildEmail gathers what the email of ds says: the recipient as it is now,
// the conversation, the messages, threading headers and the reply address.
func (s *Notifications) buildEmail(tx notificationEmailTx, t store.Timer, ds []store.Delivery, cache *emailCache) (*Email, error) {
	conv, err := cache.conversation(tx, t.Conversation)
	if err != nil {
		return nil, err
	}
	r, err := currentRecipient(tx, t.Recipient)
	if err != nil {
		return nil, err
	}
	e := &Email{Recipient: r, Conversation: *conv, MessageID: s.addrs.newMessageID()}
	var names []string
	for _, d := range ds {
		m, err := cache.message(tx, d.MessageID)
		if err != nil {
			return nil, err
		}
		e.Messages = append(e.Messages, *m)
		if n := displayName(m.Author); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	e.FromName = strings.Join(names, ", ")
	e.References = cache.threadRefs(s.addrs, tx, conv)
	if n := len(e.References); n > 0 {
		e.InReplyTo = e.References[n-1]
	}
	e.ReplyTo = s.addrs.ReplyAddress(conv.ID, r)
	e.Cause = notificationCause(e.Messages)
	tmpl, err := cache.notificationTemplate(tx)
	if err != nil {
		return nil, err
	}
	if err := s.renderNotification(tx, e, tmpl, cache); err != nil {
		return nil, err
	}
	return e, nil
}

// currentRecipient reloads a recipient's address and name.
func currentRecipient(tx store.PeopleTx, r store.Recipient) (store.Recipient, error) {
	if r.Type == store.KindCustomer {
		c, err := tx.Customer(r.ID)
		if err != nil {
			return r, err
		}
		return store.Recipient{Type: r.Type, ID: c.ID, Email: c.Email, Name: c.Name}, nil
	}
	u, err := tx.User(r.ID)
	if err != nil {
		return r, err
	}
	return store.Recipient{Type: r.Type, ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// displayName is how an author is named in an email's From: the name, or,
// for someone created without one, the local part of the address, so the
// recipient still sees who wrote.
func displayName(a store.Author) string {
	if n := strings.TrimSpace(a.Name); n != "" {
		return n
	}
	if local, _, ok := strings.Cut(a.Email, "@"); ok && local != "" {
		return local
	}
	return "Bot"
}
