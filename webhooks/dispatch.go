package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Options configure a Dispatcher. Zero fields take the defaults.
type Options struct {
	// Node names this node in delivery leases.
	Node string
	// AllowPrivate lets attempts connect to private addresses.
	AllowPrivate bool
	// Render turns an event into the data of its body, as the API shows
	// the record to an admin.
	Render func(store.OutboxEvent) (json.RawMessage, error)
	// Timeout bounds one attempt: connecting, sending and the answer's
	// headers (SPEC §14: a hanging receiver costs at most 10 s). Default 10s.
	Timeout time.Duration
	// Retry are the waits after each failed attempt; the last repeats,
	// until Retention after the delivery was made. Default
	// DefaultRetry.
	Retry []time.Duration
	// Workers claim deliveries concurrently (each up to 16 at once, sent
	// in parallel); default 8.
	Workers int
	// Poll is how often an idle node looks for work other nodes made;
	// default 1s.
	Poll time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// DefaultRetry is the backoff after failed attempts: quick at first, then
// every 8 hours until 72 h are up (about 15 attempts).
var DefaultRetry = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 5 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}

// Dispatcher fans events out into deliveries and sends them.
type Dispatcher struct {
	st     store.Store
	opts   Options
	client *http.Client
	wake   chan struct{}
}

// leaseFor is how long a claimed delivery is this node's: the attempt's
// timeout and the time to record its result.
func (d *Dispatcher) leaseFor() time.Duration { return 3*d.opts.Timeout + 10*time.Second }

// NewDispatcher returns a dispatcher over st.
func NewDispatcher(st store.Store, opts Options) *Dispatcher {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if len(opts.Retry) == 0 {
		opts.Retry = DefaultRetry
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	tr := &http.Transport{DialContext: guardedDialer(opts.AllowPrivate).DialContext, Proxy: nil,
		MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout}
	client := &http.Client{Transport: tr, Timeout: opts.Timeout,
		// A redirect is an answer, not a 2xx: it is retried, never followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Dispatcher{st: st, opts: opts, client: client, wake: make(chan struct{}, 1)}
}

// Kick wakes the dispatcher (a new event or redelivery on this node).
func (d *Dispatcher) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run fans out and sends until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	work := make(chan struct{}, d.opts.Workers)
	var wg sync.WaitGroup
	for range d.opts.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); d.sender(ctx, work) }()
	}
	defer wg.Wait()
	t := time.NewTicker(d.opts.Poll)
	defer t.Stop()
	lastPrune := time.Time{}
	for ctx.Err() == nil {
		n, err := d.FanOut(ctx)
		if err != nil && ctx.Err() == nil {
			d.opts.Log.Warn("webhooks: reading the outbox", "err", err)
		}
		for range d.opts.Workers { // wake the senders
			select {
			case work <- struct{}{}:
			default:
			}
		}
		if now := d.opts.Now(); now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			d.prune(ctx)
		}
		if n > 0 {
			continue // more may be queued
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-t.C:
		}
	}
}

// sender sends due deliveries one at a time until none is due, then waits
// to be woken.
func (d *Dispatcher) sender(ctx context.Context, work <-chan struct{}) {
	t := time.NewTicker(d.opts.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := d.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			d.opts.Log.Warn("webhooks: sending deliveries", "err", err)
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-work:
		case <-t.C:
		}
	}
}

// FanOut turns up to 100 queued events into deliveries, one per enabled
// webhook wanting each, in one transaction that also acknowledges them.
// It returns how many events it handled.
func (d *Dispatcher) FanOut(ctx context.Context) (int, error) {
	n := 0
	err := d.st.Update(ctx, func(tx store.Tx) error {
		n = 0
		evs, err := tx.ClaimOutbox(store.ConsumerWebhooks, 100)
		if err != nil || len(evs) == 0 {
			return err
		}
		hooks, err := tx.Webhooks()
		if err != nil {
			return err
		}
		now := d.opts.Now().UTC()
		ids := make([]uint64, 0, len(evs))
		for _, ev := range evs {
			ids = append(ids, ev.ID)
			var body []byte
			for i := range hooks {
				if !hooks[i].Wants(ev.Type) {
					continue
				}
				if body == nil {
					if body, err = d.body(ev); err != nil {
						return err
					}
				}
				del := &store.WebhookDelivery{WebhookID: hooks[i].ID, EventID: ev.ID, Type: ev.Type, Body: string(body),
					CreatedAt: now, Status: store.WebhookPending, NextAttemptAt: now}
				if err := tx.AddWebhookDelivery(del); err != nil {
					return err
				}
			}
		}
		n = len(ids)
		return tx.AckOutbox(store.ConsumerWebhooks, ids)
	})
	return n, err
}

// body is the JSON an event is delivered as: {"type","timestamp","data"}.
func (d *Dispatcher) body(ev store.OutboxEvent) ([]byte, error) {
	data := ev.Data
	if d.opts.Render != nil {
		var err error
		if data, err = d.opts.Render(ev); err != nil {
			return nil, fmt.Errorf("render %s event %d: %w", ev.Type, ev.ID, err)
		}
	}
	return json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{ev.Type, ev.At.UTC(), data})
}

// MessageID is the webhook-id of a delivery: the event's, the same on
// every attempt and to every endpoint.
func MessageID(del *store.WebhookDelivery) string {
	return "msg_" + strconv.FormatUint(del.EventID, 10)
}

// sendBatch bounds the deliveries one worker claims at once: they are
// sent concurrently and their outcomes recorded in one transaction.
const sendBatch = 16

// SendDue claims up to sendBatch due deliveries, attempts them at once and
// records the outcomes. It returns how many it claimed.
func (d *Dispatcher) SendDue(ctx context.Context) (int, error) {
	type job struct {
		del  store.WebhookDelivery
		hook *store.Webhook
		code int
		err  error
	}
	var jobs []*job
	claimed := 0
	now := d.opts.Now()
	err := d.st.Update(ctx, func(tx store.Tx) error {
		jobs, claimed = nil, 0
		ds, err := tx.ClaimWebhookDeliveries(now, d.opts.Node, now.Add(d.leaseFor()), sendBatch)
		if err != nil {
			return err
		}
		claimed = len(ds)
		hooks := map[uint64]*store.Webhook{}
		for _, del := range ds {
			h, ok := hooks[del.WebhookID]
			if !ok {
				if h, err = tx.Webhook(del.WebhookID); errors.Is(err, store.ErrNotFound) {
					h = nil // deleted with its webhook meanwhile
				} else if err != nil {
					return err
				}
				hooks[del.WebhookID] = h
			}
			switch {
			case h == nil:
			case !h.Enabled:
				del.Status, del.LastError, del.LeaseNode, del.LeaseUntil = store.WebhookFailed, "webhook disabled", "", time.Time{}
				if err := tx.PutWebhookDelivery(&del); err != nil {
					return err
				}
			default:
				jobs = append(jobs, &job{del: del, hook: h})
			}
		}
		return nil
	})
	if err != nil || len(jobs) == 0 {
		return claimed, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); j.code, j.err = d.attempt(ctx, j.hook, &j.del) }()
	}
	wg.Wait()
	rctx := context.WithoutCancel(ctx)
	err = d.st.Update(rctx, func(tx store.Tx) error {
		for _, j := range jobs {
			if err := d.record(tx, j.del.ID, j.code, j.err); err != nil {
				return err
			}
		}
		return nil
	})
	return claimed, err
}

// attempt POSTs the delivery once and returns the status code (0: none).
func (d *Dispatcher) attempt(ctx context.Context, hook *store.Webhook, del *store.WebhookDelivery) (int, error) {
	ts := d.opts.Now().Unix()
	id := MessageID(del)
	sig, err := Sign(hook.Secret, id, ts, []byte(del.Body))
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, strings.NewReader(del.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "deskgate-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	res, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("HTTP %d: %s", res.StatusCode, bytes.TrimSpace(snippet))
	}
	return res.StatusCode, nil
}

// record stores an attempt's outcome: delivered on a 2xx; on a 410 the
// delivery fails and the webhook is disabled; otherwise the next attempt
// is scheduled, or, past Retention, the delivery fails.
func (d *Dispatcher) record(tx store.Tx, id uint64, code int, aerr error) error {
	now := d.opts.Now().UTC()
	del, err := tx.WebhookDelivery(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if del.Status != store.WebhookPending {
		return nil // settled meanwhile
	}
	del.Attempts++
	del.LastStatusCode, del.LastError, del.LeaseNode, del.LeaseUntil = code, "", "", time.Time{}
	switch {
	case aerr == nil:
		del.Status, del.DeliveredAt = store.WebhookDelivered, now
	case code == http.StatusGone:
		del.Status, del.LastError = store.WebhookFailed, "HTTP 410: the receiver is gone; webhook disabled"
		h, err := tx.Webhook(del.WebhookID)
		if err == nil && h.Enabled {
			h.Enabled, h.DisabledReason = false, "the receiver answered 410 Gone"
			if err := tx.PutWebhook(h); err != nil {
				return err
			}
			d.opts.Log.Warn("webhook disabled: the receiver answered 410", "webhook", del.WebhookID)
		}
	default:
		del.LastError = truncate(aerr.Error(), 300)
		next := now.Add(d.opts.Retry[min(del.Attempts-1, len(d.opts.Retry)-1)])
		if next.Sub(del.CreatedAt) > Retention {
			del.Status = store.WebhookFailed
		} else {
			del.NextAttemptAt = next
		}
	}
	return tx.PutWebhookDelivery(del)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// prune deletes deliveries older than Retention, by one node at a time.
func (d *Dispatcher) prune(ctx context.Context) {
	before := d.opts.Now().Add(-Retention)
	for range 100 {
		n := 0
		err := d.st.Update(ctx, func(tx store.Tx) error {
			n = 0
			if ok, err := tx.TryLock("webhook-prune"); err != nil || !ok {
				return err
			}
			var err error
			n, err = tx.PruneWebhookDeliveries(before, 500)
			return err
		})
		if err != nil || n < 500 {
			return
		}
	}
}
