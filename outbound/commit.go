package outbound

import (
	"context"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// maxCommitBatch bounds how many results one commit carries.
const maxCommitBatch = 256

// finishReq asks the committer to record one attempt's result.
type finishReq struct {
	id   uint64
	res  result
	done chan struct{} // closed once committed (or failed and logged)
}

// outcome is what committing one result did, for the metrics.
type outcome struct {
	final    string // the email's new state; "" when it was no longer pending
	queuedAt time.Time
}

// finish records an attempt's result and returns once it is committed:
// sent, deferred to the next retry, or bounced (5xx, or the next retry
// would fall past the queue lifetime). Results go through one committer
// (group commit): while a commit is in flight the next results gather,
// and all of them share the following commit. The duplicate window stays
// what it was: between the upstream's 250 and the commit that records it.
func (q *Queue) finish(id uint64, res result) {
	r := finishReq{id: id, res: res, done: make(chan struct{})}
	q.results <- r
	<-r.done
}

// committer commits the results sent on in, as many per commit as have
// gathered, until in is closed.
func (q *Queue) committer(in <-chan finishReq) {
	for first := range in {
		reqs := []finishReq{first}
	gather:
		for len(reqs) < maxCommitBatch {
			select {
			case r, ok := <-in:
				if !ok {
					break gather
				}
				reqs = append(reqs, r)
			default:
				break gather
			}
		}
		q.commitResults(reqs)
		for _, r := range reqs {
			close(r.done)
		}
	}
}

// commitResults records reqs in one transaction; should that fail, each
// on its own, so one bad record cannot hold the others back.
func (q *Queue) commitResults(reqs []finishReq) {
	now := q.opts.Clock.Now()
	outs := make([]outcome, len(reqs))
	err := q.st.Update(context.Background(), func(tx store.Tx) error {
		ids := make([]uint64, len(reqs))
		for i, r := range reqs {
			ids[i] = r.id
		}
		if err := prefetch(tx, ids); err != nil {
			return err
		}
		for i, r := range reqs {
			o, err := q.applyResult(tx, r.id, r.res, now)
			if err != nil {
				return fmt.Errorf("email %d: %w", r.id, err)
			}
			outs[i] = o
		}
		return nil
	})
	if err != nil && len(reqs) > 1 {
		for _, r := range reqs {
			q.commitResults([]finishReq{r})
		}
		return
	}
	if err != nil {
		q.opts.Log.Error("outbound: recording result", "id", reqs[0].id, "err", err)
		return
	}
	for _, o := range outs {
		q.count(o, now)
	}
}

// resultTx is what an attempt's result writes: the queue record and the
// email's outcome in the domain.
type resultTx interface {
	bridge.OutcomeTx
	store.QueueTx
}

// applyResult writes one attempt's result into tx.
func (q *Queue) applyResult(tx resultTx, id uint64, res result, now time.Time) (outcome, error) {
	cur, err := tx.Outbound(id)
	if err != nil {
		return outcome{}, err
	}
	if !cur.Pending() {
		return outcome{}, nil // a DSN got there first
	}
	cur.LastResult = res.text
	var detail string
	switch {
	case res.captured:
		cur.State, cur.DoneAt = store.OutboundCaptured, now
		detail = res.text
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
	if err := tx.PutOutbound(cur, nil); err != nil {
		return outcome{}, err
	}
	o := bridge.EmailOutcome{State: cur.State, Detail: detail, At: now}
	if res.permanent {
		o.Enhanced = res.enhanced // the domain decides whether it cools the address
	}
	if _, err := q.opts.Outcomes.RecordEmailOutcome(tx, cur, o); err != nil {
		return outcome{}, err
	}
	return outcome{final: cur.State, queuedAt: cur.QueuedAt}, nil
}

// count updates the metrics for one committed result.
func (q *Queue) count(o outcome, now time.Time) {
	if o.final == "" {
		return
	}
	if o.final == store.OutboundSent {
		q.metrics.latency.Observe(now.Sub(o.queuedAt).Seconds())
	}
	q.metrics.attempts.WithLabelValues(o.final).Inc()
	if o.final != store.OutboundDeferred {
		q.metrics.finished.WithLabelValues(o.final).Inc()
	}
}
