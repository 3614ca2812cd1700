package outbound

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Run delivers due emails until ctx ends, then waits up to ShutdownTimeout
// for attempts in flight and returns. Pending emails live in the store, so
// after a restart Run resumes them; an attempt cut short by the timeout or
// a crash is retried on the retry schedule. One Run per Queue at a time.
func (q *Queue) Run(ctx context.Context) error {
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	q.results = make(chan finishReq, 256)
	committed := make(chan struct{})
	go func() { defer close(committed); q.committer(q.results) }()
	defer func() { close(q.results); <-committed }()
	var wg sync.WaitGroup
	var lastPrune time.Time
	for {
		q.dispatch(work, &wg)
		q.mu.Lock()
		q.passes++
		q.mu.Unlock()
		if now := q.opts.Clock.Now(); now.Sub(lastPrune) >= 10*time.Minute {
			lastPrune = now
			q.prune(now)
		}
		t := time.NewTimer(q.idleWait(ctx))
		select {
		case <-ctx.Done():
			t.Stop()
			return q.drain(&wg, cancelWork)
		case <-q.kick:
		case <-q.done:
		case <-t.C:
		}
		t.Stop()
	}
}

// heldPoll is how long the loop waits, after a pass, while the earliest
// pending email is already due: a worker holds it (its attempt is not
// recorded yet, or outlasts its retry delay) or waits for a free worker.
// A worker's recorded attempt or its end wakes the loop sooner; heldPoll
// only bounds how late another email that falls due meanwhile is seen.
const heldPoll = time.Second

// idleWait is how long the loop sleeps after a pass, unless woken (Kick,
// a worker's attempts recorded, a worker done): until the earliest
// pending email is due, at most maxSleep; heldPoll when that email is
// already due (dispatch just took every due email it could, so it is held
// or waits for a worker: polling it again changes nothing).
func (q *Queue) idleWait(ctx context.Context) time.Duration {
	var next time.Time
	var ok bool
	err := q.st.View(ctx, func(tx store.Tx) error { var err error; next, ok, err = tx.NextOutbound(); return err })
	wait := q.maxSleep()
	switch {
	case err != nil:
		wait = min(wait, heldPoll)
	case ok:
		if d := next.Sub(q.opts.Clock.Now()); d > 0 {
			wait = min(wait, d)
		} else {
			wait = min(wait, heldPoll)
		}
	}
	return wait
}

// maxSleep bounds the loop's sleep with nothing due. Work this node has
// not heard of (an email another node queued and died before claiming)
// is seen within it: half the lease with several nodes (SPEC §8), else
// 30 s (every change of this node's own queue wakes the loop).
func (q *Queue) maxSleep() time.Duration {
	if q.opts.Lease > 0 {
		return max(q.opts.Lease/2, 10*time.Millisecond)
	}
	return 30 * time.Second
}

// wake tells the loop that a worker changed what is due.
func (q *Queue) wake() {
	select {
	case q.done <- struct{}{}:
	default:
	}
}

// drain waits for attempts in flight, at most ShutdownTimeout, then cuts
// the rest off (they stay recorded as attempted and are retried later).
func (q *Queue) drain(wg *sync.WaitGroup, cancel context.CancelFunc) error {
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(q.opts.ShutdownTimeout):
		q.opts.Log.Warn("outbound: cutting off attempts still in flight at shutdown")
		cancel()
		<-finished
	}
	return nil
}

// dispatch starts workers for due emails that are not in flight: one
// SMTP session per worker carrying up to MaxPerSession emails of one
// destination, within the global and per-destination limits.
func (q *Queue) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	q.mu.Lock()
	free := q.opts.MaxWorkers - q.workers
	skip := len(q.inflight)
	q.mu.Unlock()
	if free <= 0 {
		return
	}
	now := q.opts.Clock.Now()
	byDest := map[string][]uint64{}
	var order []string
	err := q.st.View(ctx, func(tx store.Tx) error {
		due, err := tx.DueOutbound(now, skip+free*q.opts.MaxPerSession)
		if err != nil {
			return err
		}
		for _, id := range due {
			q.mu.Lock()
			busy := q.inflight[id]
			q.mu.Unlock()
			if busy {
				continue
			}
			rec, err := tx.Outbound(id)
			if err != nil {
				return err
			}
			d := q.destination(rec)
			if byDest[d] == nil {
				order = append(order, d)
			}
			byDest[d] = append(byDest[d], id)
		}
		return nil
	})
	if err != nil {
		q.opts.Log.Error("outbound: reading due emails", "err", err)
		return
	}
	for _, dest := range order {
		ids := byDest[dest]
		for len(ids) > 0 {
			q.mu.Lock()
			if q.workers >= q.opts.MaxWorkers || q.perDest[dest] >= q.opts.MaxPerDestination {
				q.mu.Unlock()
				break
			}
			// Spread a destination's emails over its free connections.
			n := min(len(ids), q.opts.MaxPerSession, max(1, (len(ids)+q.opts.MaxPerDestination-1)/q.opts.MaxPerDestination))
			batch := ids[:n]
			ids = ids[n:]
			for _, id := range batch {
				q.inflight[id] = true
			}
			q.workers++
			q.perDest[dest]++
			q.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.work(ctx, batch)
				q.release(dest, batch)
			}()
		}
	}
}

// release frees a worker's slot and its emails, and wakes the loop.
func (q *Queue) release(dest string, ids []uint64) {
	q.mu.Lock()
	for _, id := range ids {
		delete(q.inflight, id)
	}
	q.workers--
	if q.perDest[dest]--; q.perDest[dest] <= 0 {
		delete(q.perDest, dest)
	}
	q.mu.Unlock()
	q.wake()
}

// job is one email a worker carries.
type job struct {
	rec         *store.OutboundEmail
	raw         []byte
	newlySigned bool
}

// work makes one delivery attempt of each email in ids (one destination)
// over one route (a session to each of the destination's hosts, opened as
// needed): sign what is not signed yet, commit the attempts, send one
// after the other, commit each result as it comes.
func (q *Queue) work(ctx context.Context, ids []uint64) {
	jobs := q.begin(q.prepare(ids))
	// The attempts are recorded: their emails are due again only later.
	q.wake()
	if len(jobs) == 0 {
		return
	}
	var l *leases
	if q.opts.Lease > 0 {
		l = q.renewLeases(jobs)
		defer l.stop()
	}
	var fin sync.WaitGroup
	var r *route
	for _, j := range jobs {
		start := time.Now()
		var res result
		switch {
		case q.opts.Capture:
			res = result{captured: true, text: "captured (DESKGATE_OUTBOUND=capture): kept in the mail log, not sent"}
		case !validRecipient(j.rec.Recipient):
			res = result{permanent: true, text: fmt.Sprintf("553 5.1.3 %q is not a valid recipient address (not sent)", j.rec.Recipient)}
		case r == nil && ctx.Err() != nil:
			res = result{text: "not attempted: shutting down"}
		default:
			if r == nil {
				_, domain, _ := strings.Cut(j.rec.Recipient, "@")
				r = newRoute(q, domain)
			}
			res = r.deliver(ctx, j.rec, j.raw)
		}
		q.logAttempt(j.rec, res, time.Since(start))
		if l != nil {
			l.release(j.rec.ID)
		}
		fin.Add(1)
		go func(id uint64, res result) {
			defer fin.Done()
			q.finish(id, res)
		}(j.rec.ID, res)
	}
	if r != nil {
		r.close()
	}
	fin.Wait()
}

// validRecipient reports whether addr is a plain addr-spec with a domain.
func validRecipient(addr string) bool {
	a, err := mail.ParseAddress(addr)
	return err == nil && a.Address == addr && strings.Contains(addr, "@")
}

// prepare loads the pending emails of ids and signs those not signed yet.
func (q *Queue) prepare(ids []uint64) []job {
	var jobs []job
	var lost []uint64
	err := q.st.View(context.Background(), func(tx store.Tx) error {
		if err := prefetch(tx, ids); err != nil {
			return err
		}
		for _, id := range ids {
			rec, err := tx.Outbound(id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !rec.Pending() {
				continue
			}
			raw, err := tx.OutboundRaw(id)
			if errors.Is(err, store.ErrNotFound) {
				lost = append(lost, id) // cannot happen unless the file was edited
				continue
			}
			if err != nil {
				return err
			}
			jobs = append(jobs, job{rec: rec, raw: raw})
		}
		return nil
	})
	if err != nil {
		q.opts.Log.Error("outbound: loading emails", "err", err)
		return nil
	}
	for _, id := range lost {
		q.finish(id, result{permanent: true, text: "the queued message is missing from the store"})
	}
	out := jobs[:0]
	for _, j := range jobs {
		if !j.rec.Signed {
			signed, err := q.signer.Sign(j.raw)
			if err != nil {
				q.opts.Log.Error("outbound: signing", "id", j.rec.ID, "err", err)
				q.finish(j.rec.ID, result{text: "DKIM signing failed: " + err.Error()})
				continue
			}
			j.raw, j.newlySigned = signed, true
		}
		out = append(out, j)
	}
	return out
}

// begin commits the attempts of jobs before the dial, in one transaction
// (at-least-once: an attempt cut short by a crash is retried at its
// NextAttempt). It cancels instead an email whose every message has been
// seen. It returns the jobs to send.
func (q *Queue) begin(jobs []job) []job {
	if len(jobs) == 0 {
		return nil
	}
	now := q.opts.Clock.Now()
	var dial []job
	var cancelled int
	err := q.st.Update(context.Background(), func(tx store.Tx) error {
		dial, cancelled = dial[:0], 0
		ids := make([]uint64, len(jobs))
		for i, j := range jobs {
			ids[i] = j.rec.ID
		}
		if err := prefetch(tx, ids); err != nil {
			return err
		}
		for _, j := range jobs {
			cur, err := tx.Outbound(j.rec.ID)
			if err != nil {
				return err
			}
			if !cur.Pending() || cur.NextAttempt.After(now) {
				continue
			}
			if seen, err := q.opts.Outcomes.EmailSeen(tx, cur.ID); err != nil {
				return err
			} else if seen {
				cancelled++
				cur.State, cur.DoneAt, cur.LastResult = store.OutboundCancelled, now, "every message was seen in the app before the email left"
				if err := tx.PutOutbound(cur, nil); err != nil {
					return err
				}
				if _, err := q.opts.Outcomes.RecordEmailOutcome(tx, cur, bridge.EmailOutcome{State: store.OutboundCancelled, Detail: cur.LastResult, At: now}); err != nil {
					return err
				}
				continue
			}
			cur.Attempts++
			cur.LastAttempt = now
			cur.NextAttempt = now.Add(q.retryDelay(cur.Attempts))
			if q.opts.Lease > 0 {
				cur.NextAttempt = now.Add(q.opts.Lease) // the claim, renewed while the attempt runs
			}
			var raw []byte
			if j.newlySigned {
				cur.Signed, raw = true, j.raw
				// An email with a password link: the mail log keeps no copy.
				if !cur.RawNotLogged {
					if err := tx.SetMailLogRaw(cur.MailLogID, j.raw); err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
				}
			}
			if err := tx.PutOutbound(cur, raw); err != nil {
				return err
			}
			dial = append(dial, job{rec: cur, raw: j.raw})
		}
		return nil
	})
	if err != nil {
		q.opts.Log.Error("outbound: recording attempts", "err", err)
		return nil
	}
	q.metrics.finished.WithLabelValues(store.OutboundCancelled).Add(float64(cancelled))
	return dial
}

// prune deletes final queue records older than the retention.
func (q *Queue) prune(now time.Time) {
	for range 100 {
		var n int
		err := q.st.Update(context.Background(), func(tx store.Tx) error {
			n = 0
			// One node prunes at a time (SPEC §8); the others skip the round.
			if ok, err := tx.TryLock("prune outbound"); err != nil || !ok {
				return err
			}
			var err error
			n, err = tx.PruneOutbound(now.Add(-q.opts.Retention), 500)
			return err
		})
		if err != nil {
			q.opts.Log.Error("outbound: pruning the queue", "err", err)
			return
		}
		if n < 500 {
			return
		}
	}
}

// logAttempt logs one attempt at the level of what happened: a delivery
// or a capture is INFO, a deferral or a bounce WARN (an operator filtering
// on warnings sees every email that did not get through).
func (q *Queue) logAttempt(rec *store.OutboundEmail, res result, took time.Duration) {
	attrs := []any{"id", rec.ID, "to", rec.Recipient, "result", res.text, "took", took}
	switch {
	case res.captured:
		q.opts.Log.Info("outbound email captured", attrs...)
	case res.ok:
		q.opts.Log.Info("outbound email sent", attrs...)
	case res.permanent:
		q.opts.Log.Warn("outbound email rejected", attrs...)
	default:
		q.opts.Log.Warn("outbound attempt failed, will retry", attrs...)
	}
}
