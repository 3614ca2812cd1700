package outbound

import (
	"context"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
)

// leases renews the claims of a worker's emails (Options.Lease) while its
// attempts run, so that other nodes leave them alone; a node that dies
// stops renewing and its emails fall due within the lease.
type leases struct {
	q    *Queue
	mu   sync.Mutex
	held map[uint64]time.Time // email id -> the NextAttempt this worker last wrote
	// attempts identifies each email's attempt: a renewal never touches an
	// email whose attempt is no longer this worker's.
	attempts map[uint64]int
	quit     chan struct{}
	done     chan struct{}
}

// renewLeases starts renewing the claims of jobs every Lease/3.
func (q *Queue) renewLeases(jobs []job) *leases {
	l := &leases{q: q, held: map[uint64]time.Time{}, attempts: map[uint64]int{},
		quit: make(chan struct{}), done: make(chan struct{})}
	for _, j := range jobs {
		l.held[j.rec.ID] = j.rec.NextAttempt
		l.attempts[j.rec.ID] = j.rec.Attempts
	}
	go l.loop()
	return l
}

func (l *leases) loop() {
	defer close(l.done)
	t := time.NewTicker(max(l.q.opts.Lease/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.renew()
		}
	}
}

// renew moves each held email's NextAttempt to now+Lease, unless its
// record changed since (a result was committed, a DSN arrived): then the
// email is no longer held.
func (l *leases) renew() {
	now := l.q.opts.Clock.Now()
	until := now.Add(l.q.opts.Lease)
	renewed := map[uint64]time.Time{}
	l.mu.Lock()
	held := make(map[uint64]time.Time, len(l.held))
	for id, at := range l.held {
		held[id] = at
	}
	l.mu.Unlock()
	err := l.q.st.Update(context.Background(), func(tx store.Tx) error {
		clear(renewed)
		for id, at := range held {
			cur, err := tx.Outbound(id)
			if err != nil {
				continue
			}
			if !cur.Pending() || cur.Attempts != l.attempts[id] || !cur.NextAttempt.Equal(at) {
				continue // finished, or no longer this worker's
			}
			cur.NextAttempt = until
			if err := tx.PutOutbound(cur, nil); err != nil {
				return err
			}
			renewed[id] = until
		}
		return nil
	})
	if err != nil {
		l.q.opts.Log.Error("outbound: renewing the claim of emails in flight", "err", err)
		return
	}
	l.mu.Lock()
	for id := range l.held {
		if at, ok := renewed[id]; ok {
			l.held[id] = at
		} else {
			delete(l.held, id)
		}
	}
	l.mu.Unlock()
}

// release stops renewing email id (its result is about to be committed).
func (l *leases) release(id uint64) {
	l.mu.Lock()
	delete(l.held, id)
	l.mu.Unlock()
}

// stop ends the renewals and waits for a renewal in progress.
func (l *leases) stop() {
	close(l.quit)
	<-l.done
}
