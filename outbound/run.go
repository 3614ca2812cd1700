package outbound

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
)

// errSkip aborts an attempt's transaction without error: the email is no
// longer due (final, or moved by someone else).
var errSkip = errors.New("not due any more")

// Run delivers due emails until ctx ends, then waits up to
// ShutdownTimeout for attempts in flight and returns. Pending emails live
// in the store, so after a restart Run resumes them; an attempt cut short
// by the timeout or a crash is retried on the retry schedule.
func (q *Queue) Run(ctx context.Context) error {
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var wg sync.WaitGroup
	var lastPrune time.Time
	for {
		q.dispatch(work, &wg)
		if now := q.opts.Clock.Now(); now.Sub(lastPrune) >= 10*time.Minute {
			lastPrune = now
			q.prune(now)
		}
		wait := time.Second // poll at least this often (and after errors)
		var next time.Time
		var ok bool
		_ = q.st.View(func(tx *store.Tx) error { next, ok = tx.NextOutbound(); return nil })
		if ok {
			wait = min(wait, max(next.Sub(q.opts.Clock.Now()), time.Millisecond))
		}
		t := time.NewTimer(wait)
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

// dispatch starts an attempt for each due email that is not in flight,
// within the global and per-destination limits.
func (q *Queue) dispatch(ctx context.Context, wg *sync.WaitGroup) {
	q.mu.Lock()
	busy := len(q.inflight)
	q.mu.Unlock()
	free := q.opts.MaxWorkers - busy
	if free <= 0 {
		return
	}
	now := q.opts.Clock.Now()
	var recs []*store.OutboundEmail
	err := q.st.View(func(tx *store.Tx) error {
		for _, id := range tx.DueOutbound(now, busy+4*free+16) {
			q.mu.Lock()
			_, busy := q.inflight[id]
			q.mu.Unlock()
			if busy {
				continue
			}
			rec, err := tx.Outbound(id)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		q.opts.Log.Error("outbound: reading due emails", "err", err)
		return
	}
	for _, rec := range recs {
		dest := q.destination(rec)
		q.mu.Lock()
		if len(q.inflight) >= q.opts.MaxWorkers {
			q.mu.Unlock()
			return
		}
		if q.perDest[dest] >= q.opts.MaxPerDestination {
			q.mu.Unlock()
			continue
		}
		q.inflight[rec.ID] = dest
		q.perDest[dest]++
		q.mu.Unlock()
		wg.Add(1)
		go func(id uint64) {
			defer wg.Done()
			q.attempt(ctx, id)
			q.release(id)
		}(rec.ID)
	}
}

// release frees email id's slots and wakes the loop.
func (q *Queue) release(id uint64) {
	q.mu.Lock()
	dest := q.inflight[id]
	delete(q.inflight, id)
	if q.perDest[dest]--; q.perDest[dest] <= 0 {
		delete(q.perDest, dest)
	}
	q.mu.Unlock()
	select {
	case q.done <- id:
	default:
	}
}

// attempt makes one delivery attempt of email id: sign if not yet signed,
// commit the attempt, dial, commit the result.
func (q *Queue) attempt(ctx context.Context, id uint64) {
	var rec *store.OutboundEmail
	var raw []byte
	err := q.st.View(func(tx *store.Tx) error {
		var err error
		if rec, err = tx.Outbound(id); err != nil {
			return err
		}
		if !rec.Pending() {
			return errSkip
		}
		raw, err = tx.OutboundRaw(id)
		return err
	})
	if err != nil {
		if !errors.Is(err, errSkip) {
			q.opts.Log.Error("outbound: loading email", "id", id, "err", err)
		}
		return
	}
	newlySigned := false
	if !rec.Signed {
		signed, err := q.signer.Sign(raw)
		if err != nil {
			q.opts.Log.Error("outbound: signing", "id", id, "err", err)
			q.finish(id, result{text: "DKIM signing failed: " + err.Error()})
			return
		}
		raw, newlySigned = signed, true
	}
	start, ok := q.begin(id, raw, newlySigned)
	if !ok {
		return
	}
	actx, cancel := context.WithTimeout(ctx, q.opts.AttemptTimeout)
	res := q.deliver(actx, rec, raw)
	cancel()
	q.opts.Log.Info("outbound attempt", "id", id, "to", rec.Recipient, "ok", res.ok, "permanent", res.permanent, "result", res.text, "took", time.Since(start))
	q.finish(id, res)
}

// begin commits the attempt before the dial (at-least-once: a crash after
// this is retried at NextAttempt); it cancels the email instead when every
// message it carries has been seen. It reports whether to dial.
func (q *Queue) begin(id uint64, signed []byte, newlySigned bool) (time.Time, bool) {
	now := q.opts.Clock.Now()
	var dial, cancelled bool
	err := q.st.Batch(func(tx *store.Tx) error {
		dial, cancelled = false, false
		cur, err := tx.Outbound(id)
		if err != nil {
			return err
		}
		if !cur.Pending() || cur.NextAttempt.After(now) {
			return nil
		}
		if seen, err := allSeen(tx, id); err != nil {
			return err
		} else if seen {
			cancelled = true
			cur.State, cur.DoneAt, cur.LastResult = store.OutboundCancelled, now, "every message was seen in the app before the email left"
			if err := tx.PutOutbound(cur, nil); err != nil {
				return err
			}
			return q.mark(tx, cur, store.OutboundCancelled, store.EmailSkipped, "cancelled: "+cur.LastResult)
		}
		cur.Attempts++
		cur.LastAttempt = now
		cur.NextAttempt = now.Add(q.retryDelay(cur.Attempts))
		var raw []byte
		if newlySigned {
			cur.Signed, raw = true, signed
			if err := tx.SetMailLogRaw(cur.MailLogID, signed); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		dial = true
		return tx.PutOutbound(cur, raw)
	})
	if err != nil {
		q.opts.Log.Error("outbound: recording attempt", "id", id, "err", err)
		return now, false
	}
	if cancelled {
		q.metrics.finished.WithLabelValues(store.OutboundCancelled).Inc()
	}
	return now, dial
}

// finish commits an attempt's result: sent, deferred to the next retry,
// or bounced (5xx, or the next retry would fall past the queue lifetime).
func (q *Queue) finish(id uint64, res result) {
	now := q.opts.Clock.Now()
	var final string
	var queuedAt time.Time
	err := q.st.Batch(func(tx *store.Tx) error {
		final = ""
		cur, err := tx.Outbound(id)
		if err != nil {
			return err
		}
		if !cur.Pending() {
			return nil // a DSN got there first
		}
		queuedAt = cur.QueuedAt
		cur.LastResult = res.text
		var detail string
		switch {
		case res.ok:
			cur.State, cur.DoneAt = store.OutboundSent, now
			detail = "accepted by " + res.text
		case res.permanent:
			cur.State, cur.DoneAt = store.OutboundBounced, now
			detail = "rejected: " + res.text
		default:
			next := now.Add(q.retryDelay(cur.Attempts))
			if next.After(cur.QueuedAt.Add(q.opts.Lifetime)) {
				cur.State, cur.DoneAt = store.OutboundBounced, now
				detail = fmt.Sprintf("given up after %d attempts (queue lifetime %s): last: %s", cur.Attempts, q.opts.Lifetime, res.text)
				break
			}
			cur.State, cur.NextAttempt = store.OutboundDeferred, next
			detail = fmt.Sprintf("%s; next attempt at %s", res.text, next.UTC().Format(time.RFC3339))
		}
		final = cur.State
		if err := tx.PutOutbound(cur, nil); err != nil {
			return err
		}
		return q.mark(tx, cur, cur.State, cur.State, detail)
	})
	if err != nil {
		q.opts.Log.Error("outbound: recording result", "id", id, "err", err)
		return
	}
	switch final {
	case "":
		return
	case store.OutboundSent:
		q.metrics.latency.Observe(now.Sub(queuedAt).Seconds())
	}
	q.metrics.attempts.WithLabelValues(final).Inc()
	if final != store.OutboundDeferred {
		q.metrics.finished.WithLabelValues(final).Inc()
	}
}

// mark sets email rec's mail log entry to logStatus and its deliveries to
// deliveryStatus, both with detail. A pruned mail log entry is skipped.
func (q *Queue) mark(tx *store.Tx, rec *store.OutboundEmail, logStatus, deliveryStatus, detail string) error {
	if rec.MailLogID != 0 {
		err := tx.SetMailLogStatus(rec.MailLogID, logStatus, detail, 0, 0)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("mail log %d: %w", rec.MailLogID, err)
		}
	}
	ds, err := tx.EmailDeliveries(rec.ID)
	if err != nil {
		return fmt.Errorf("deliveries of email %d: %w", rec.ID, err)
	}
	for i := range ds {
		d := &ds[i]
		if d.OutboundID != rec.ID {
			continue // emailed again since by another email
		}
		d.EmailStatus, d.Detail = deliveryStatus, detail
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
	}
	return nil
}

// allSeen reports whether email id carries deliveries and all of them have
// been seen in the app.
func allSeen(tx *store.Tx, id uint64) (bool, error) {
	ds, err := tx.EmailDeliveries(id)
	if err != nil || len(ds) == 0 {
		return false, err
	}
	for _, d := range ds {
		if d.SeenAt == nil {
			return false, nil
		}
	}
	return true, nil
}

// prune deletes final queue records older than the retention.
func (q *Queue) prune(now time.Time) {
	for range 100 {
		var n int
		err := q.st.Update(func(tx *store.Tx) error {
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
