package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
func (s *Service) RunAutomations(ctx context.Context, poll time.Duration) {
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
func (s *Service) DrainAutomations(ctx context.Context) (int, error) {
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
		ok, err := s.RunAutomationEvent(ctx)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// actionKey names one action of one automation.
type actionKey struct {
	automation uint64
	action     int
}

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

// RunAutomationEvent claims the oldest queued event, runs the automations
// that match it and acknowledges it, in one transaction; it reports
// whether there was an event. An action that fails is logged and recorded
// on its automation (last_error), is not retried, and leaves nothing
// behind: the transaction is rolled back and the event run again without
// it. What an automation does itself queues no event (no loops, SPEC §9).
func (s *Service) RunAutomationEvent(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	var eventID uint64
	failed := map[actionKey]string{} // failed actions of event eventID
	for attempt := 0; ; attempt++ {
		var results []actionResult
		handled := false
		err := s.st.Update(ctx, func(tx store.Tx) error {
			results, handled = nil, false // the function may run twice
			evs, err := tx.ClaimOutbox(store.ConsumerAutomations, 1)
			if err != nil || len(evs) == 0 {
				return err
			}
			e := evs[0]
			if e.ID != eventID {
				eventID = e.ID
				clear(failed)
			}
			handled = true
			var ev Event
			if err := json.Unmarshal(e.Data, &ev); err != nil {
				s.log.Error("automations: unreadable event dropped", "event", e.ID, "type", e.Type, "err", err)
				return tx.AckOutbox(store.ConsumerAutomations, []uint64{e.ID})
			}
			as, err := tx.Automations()
			if err != nil {
				return err
			}
			for i := range as {
				a := &as[i]
				if !matches(a, ev) {
					continue
				}
				var problems []string
				for n, act := range a.Actions {
					k := actionKey{a.ID, n}
					if p, ok := failed[k]; ok {
						problems = append(problems, p)
						continue
					}
					res, err := s.runActionTx(ctx, tx, a, act, ev)
					if err != nil {
						if ctx.Err() != nil {
							return err // not the action's fault: the event stays queued
						}
						return &actionFailed{key: k, name: a.Name, typ: act.Type, err: err,
							problem: fmt.Sprintf("actions[%d] %s: %v", n, act.Type, err)}
					}
					if res.problem != nil {
						s.log.Error("automation action failed", "automation", a.ID, "name", a.Name, "action", n, "type", act.Type, "event", ev.Name, "err", res.problem)
						problems = append(problems, fmt.Sprintf("actions[%d] %s: %v", n, act.Type, res.problem))
					}
					results = append(results, res)
				}
				if err := s.recordRunTx(tx, a.ID, strings.Join(problems, "; ")); err != nil {
					return err
				}
			}
			return tx.AckOutbox(store.ConsumerAutomations, []uint64{e.ID})
		})
		var af *actionFailed
		if errors.As(err, &af) && attempt <= maxActions*4 {
			s.log.Error("automation action failed", "automation", af.key.automation, "name", af.name, "action", af.key.action,
				"type", af.typ, "outbox_event", eventID, "err", af.err)
			failed[af.key] = af.problem
			continue
		}
		if err != nil {
			return false, err
		}
		for _, r := range results {
			s.afterCommit(r.ds)
			s.kick(r.enqueued)
		}
		return handled, nil
	}
}

// recordRunTx counts a run of automation id and records its error ("" for
// none: a later success clears an earlier error).
func (s *Service) recordRunTx(tx store.Tx, id uint64, problem string) error {
	now := s.clock.Now()
	a, err := tx.Automation(id)
	if err != nil {
		return err
	}
	a.Runs++
	a.LastError, a.LastErrorAt = problem, nil
	if problem != "" {
		a.LastErrorAt = &now
	}
	return tx.PutAutomation(a)
}
