package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// The automation worker: the second consumer of the outbox (SPEC §9,
// §14). Each event an automation triggers on is queued by the transaction
// that made it (queueEvent), so a crash after the commit loses no run;
// the worker of any node claims it (on PostgreSQL FOR UPDATE SKIP LOCKED:
// the claim is held until the worker's transaction ends, and released if
// its node dies), runs the matching automations' actions, counts their
// runs and acknowledges the event in that one transaction, so a crash
// re-runs nothing twice either.

// RunAutomations drains the automation outbox until ctx ends, woken by
// this node's commits and polling every poll (default 1s) for events
// other nodes queued.
func (s *Messaging) RunAutomations(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for ctx.Err() == nil {
		if _, err := s.DrainAutomations(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("automations: draining the outbox", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-s.autoWake:
		case <-t.C:
		}
	}
}

// DrainAutomations runs queued events until none is left and returns how
// many it ran. An empty queue costs one read, no write.
func (s *Messaging) DrainAutomations(ctx context.Context) (int, error) {
	var queued int
	if err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		queued, err = tx.OutboxQueued(store.ConsumerAutomations)
		return err
	}); err != nil || queued == 0 {
		return 0, err
	}
	n := 0
	for ctx.Err() == nil {
		k, err := s.RunAutomationEvents(ctx)
		if err != nil || k == 0 {
			return n, err
		}
		n += k
	}
	return n, ctx.Err()
}

// actionKey names one action of one automation on one event.
type actionKey struct {
	event      uint64
	automation uint64
	action     int
}

// eventBatch bounds the events one transaction runs.
const eventBatch = 32

// actionFailed is an action's failure, which rolls its event's
// transaction back: the event runs again without that action.
type actionFailed struct {
	key     actionKey
	name    string
	typ     string
	problem string
	err     error
}

func (e *actionFailed) Error() string { return e.problem }

// Unwrap lets the store see its own errors through (PostgreSQL re-runs
// the transaction after a deadlock or a serialization failure).
func (e *actionFailed) Unwrap() error { return e.err }

// storeFault reports whether err is the store's failure, not the
// action's: the database refused a statement (a deadlock between two
// nodes' workers, say) or could not be reached. Then the events stay
// queued for the next round, every action with them.
func storeFault(err error) bool {
	var sql interface{ SQLState() string }
	return errors.As(err, &sql) || errors.Is(err, store.ErrUnavailable)
}

// RunAutomationEvents claims the oldest queued events (up to eventBatch),
// runs the automations that match each and acknowledges them, in one
// transaction; it reports how many it ran. An action that fails is
// logged and recorded on its automation (last_error), is not retried, and
// leaves nothing behind: the transaction is rolled back and the events run
// again without it. What an automation does itself queues no event (no loops, SPEC §9).
func (s *Messaging) RunAutomationEvents(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	failed := map[actionKey]string{} // actions that failed: left out of the next attempt
	for attempt := 0; ; attempt++ {
		var results []actionResult
		handled := 0
		err := s.st.Update(ctx, func(tx store.Tx) error {
			results, handled = nil, 0 // the function may run twice
			evs, err := tx.ClaimOutbox(store.ConsumerAutomations, eventBatch)
			if err != nil || len(evs) == 0 {
				return err
			}
			as, err := tx.Automations()
			if err != nil {
				return err
			}
			ids := make([]uint64, 0, len(evs))
			runs := map[uint64]*runTally{}
			for _, e := range evs {
				ids = append(ids, e.ID)
				var ev Event
				if err := json.Unmarshal(e.Data, &ev); err != nil {
					s.log.Error("automations: unreadable event dropped", "event", e.ID, "type", e.Type, "err", err)
					continue
				}
				if err := s.runEventTx(ctx, tx, e.ID, ev, as, failed, runs, &results); err != nil {
					return err
				}
			}
			// Runs counted once per automation, in id order: two nodes'
			// batches lock the automations in the same order.
			for _, id := range slices.Sorted(maps.Keys(runs)) {
				if err := s.recordRunTx(tx, id, runs[id]); err != nil {
					return err
				}
			}
			handled = len(ids)
			return tx.AckOutbox(store.ConsumerAutomations, ids)
		})
		var af *actionFailed
		if errors.As(err, &af) && !storeFault(err) && attempt <= maxActions*eventBatch {
			s.log.Error("automation action failed", "automation", af.key.automation, "name", af.name, "action", af.key.action,
				"type", af.typ, "outbox_event", af.key.event, "err", af.err)
			failed[af.key] = af.problem
			continue
		}
		if err != nil {
			return 0, err
		}
		for _, r := range results {
			s.notes.afterCommit(r.ds)
			s.notes.kick(r.enqueued)
		}
		return handled, nil
	}
}

// runEventTx runs, in tx, the automations of as that match ev (outbox
// event id), but the actions failed names, and tallies their runs.
func (s *Messaging) runEventTx(ctx context.Context, tx actionTx, id uint64, ev Event, as []store.Automation, failed map[actionKey]string,
	runs map[uint64]*runTally, results *[]actionResult) error {
	for i := range as {
		a := &as[i]
		if !matches(a, ev) {
			continue
		}
		var problems []string
		for n, act := range a.Actions {
			k := actionKey{id, a.ID, n}
			if p, ok := failed[k]; ok {
				problems = append(problems, p)
				continue
			}
			res, err := s.runActionTx(ctx, tx, a, act, ev)
			if err != nil {
				if ctx.Err() != nil {
					return err // not the action's fault: the events stay queued
				}
				return &actionFailed{key: k, name: a.Name, typ: act.Type, err: err,
					problem: fmt.Sprintf("actions[%d] %s: %v", n, act.Type, err)}
			}
			if res.problem != nil {
				s.log.Error("automation action failed", "automation", a.ID, "name", a.Name, "action", n, "type", act.Type, "event", ev.Name, "err", res.problem)
				problems = append(problems, fmt.Sprintf("actions[%d] %s: %v", n, act.Type, res.problem))
			}
			*results = append(*results, res)
		}
		r := runs[a.ID]
		if r == nil {
			r = &runTally{}
			runs[a.ID] = r
		}
		r.n++
		r.problem = strings.Join(problems, "; ") // the last run's
	}
	return nil
}

// runTally is an automation's runs in one batch and the last one's
// problem ("" for none).
type runTally struct {
	n       uint64
	problem string
}

// recordRunTx counts r's runs of automation id and records the last
// one's error ("" for none: a later success clears an earlier error).
func (s *Messaging) recordRunTx(tx store.MessagingTx, id uint64, r *runTally) error {
	now := s.clock.Now()
	a, err := tx.Automation(id)
	if err != nil {
		return err
	}
	a.Runs += r.n
	a.LastError, a.LastErrorAt = r.problem, nil
	if r.problem != "" {
		a.LastErrorAt = &now
	}
	return tx.PutAutomation(a)
}
