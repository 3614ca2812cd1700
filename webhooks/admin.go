package webhooks

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
)

// Retention is how long deliveries are kept and retried (SPEC §14: 72 h).
const Retention = 72 * time.Hour

// Admin is what admins do with webhooks through the API.
type Admin struct {
	st           store.Store
	allowPrivate bool
	resolver     *net.Resolver
	now          func() time.Time
	kick         func() // wakes the dispatcher (a redelivery)
}

// NewAdmin returns the webhook administration over st.
func NewAdmin(st store.Store, allowPrivate bool, now func() time.Time) *Admin {
	if now == nil {
		now = time.Now
	}
	return &Admin{st: st, allowPrivate: allowPrivate, resolver: net.DefaultResolver, now: now, kick: func() {}}
}

// SetKick sets the function that wakes the dispatcher.
func (a *Admin) SetKick(f func()) { a.kick = f }

// Input is POST and PUT /webhooks; PUT leaves nil fields unchanged.
type Input struct {
	URL     *string   `json:"url"`
	Events  *[]string `json:"events"`
	Enabled *bool     `json:"enabled"`
}

func invalid(msg string) error { return &bridge.Error{Kind: bridge.KindInvalid, Message: msg} }

func admin(c bridge.Caller) error {
	if c.IsAdmin() {
		return nil
	}
	if c.IsStaff() {
		return &bridge.Error{Kind: bridge.KindForbidden, Message: "only an admin may manage webhooks"}
	}
	return &bridge.Error{Kind: bridge.KindNotFound, Message: "not found"}
}

func (a *Admin) check(ctx context.Context, in Input) error {
	if in.URL != nil {
		if err := checkURL(ctx, strings.TrimSpace(*in.URL), a.allowPrivate, a.resolver); err != nil {
			return invalid(err.Error())
		}
	}
	if in.Events != nil {
		if len(*in.Events) == 0 {
			return invalid("events: at least one of " + strings.Join(events.Types, ", "))
		}
		for _, e := range *in.Events {
			if !slices.Contains(events.Types, e) {
				return invalid("events: unknown event " + e + " (one of " + strings.Join(events.Types, ", ") + ")")
			}
		}
	}
	return nil
}

// Create adds a webhook; its secret is in the answer, and only there.
func (a *Admin) Create(ctx context.Context, c bridge.Caller, in Input) (*store.Webhook, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	if in.URL == nil || in.Events == nil {
		return nil, invalid("url and events: required")
	}
	if err := a.check(ctx, in); err != nil {
		return nil, err
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, err
	}
	w := &store.Webhook{URL: strings.TrimSpace(*in.URL), Events: dedupe(*in.Events), Enabled: in.Enabled == nil || *in.Enabled,
		Secret: secret, CreatedAt: a.now().UTC()}
	err = a.st.Update(ctx, func(tx store.Tx) error { x := *w; err := tx.CreateWebhook(&x); *w = x; return err })
	return w, storeErr(err)
}

func dedupe(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// List returns every webhook, by id.
func (a *Admin) List(ctx context.Context, c bridge.Caller) ([]store.Webhook, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	var ws []store.Webhook
	err := a.st.View(ctx, func(tx store.Tx) error { var err error; ws, err = tx.Webhooks(); return err })
	return ws, storeErr(err)
}

// Get returns webhook id.
func (a *Admin) Get(ctx context.Context, c bridge.Caller, id uint64) (*store.Webhook, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	var w *store.Webhook
	err := a.st.View(ctx, func(tx store.Tx) error { var err error; w, err = tx.Webhook(id); return err })
	return w, storeErr(err)
}

// Update changes webhook id; enabling it again clears why it was disabled.
func (a *Admin) Update(ctx context.Context, c bridge.Caller, id uint64, in Input) (*store.Webhook, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	if err := a.check(ctx, in); err != nil {
		return nil, err
	}
	var w *store.Webhook
	err := a.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if w, err = tx.Webhook(id); err != nil {
			return err
		}
		if in.URL != nil {
			w.URL = strings.TrimSpace(*in.URL)
		}
		if in.Events != nil {
			w.Events = dedupe(*in.Events)
		}
		if in.Enabled != nil {
			w.Enabled = *in.Enabled
			if w.Enabled {
				w.DisabledReason = ""
			}
		}
		return tx.PutWebhook(w)
	})
	return w, storeErr(err)
}

// Delete removes webhook id and its deliveries.
func (a *Admin) Delete(ctx context.Context, c bridge.Caller, id uint64) error {
	if err := admin(c); err != nil {
		return err
	}
	return storeErr(a.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteWebhook(id) }))
}

// Deliveries returns webhook id's deliveries of the last 72 h, newest first.
func (a *Admin) Deliveries(ctx context.Context, c bridge.Caller, id uint64) ([]store.WebhookDelivery, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	since := a.now().Add(-Retention)
	var ds []store.WebhookDelivery
	err := a.st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Webhook(id); err != nil {
			return err
		}
		var err error
		ds, err = tx.WebhookDeliveries(id)
		return err
	})
	ds = slices.DeleteFunc(ds, func(d store.WebhookDelivery) bool { return d.CreatedAt.Before(since) })
	slices.Reverse(ds)
	return ds, storeErr(err)
}

// Redeliver makes delivery did of webhook id due now, whatever its state:
// the same body under the same webhook-id, its attempts counted on.
func (a *Admin) Redeliver(ctx context.Context, c bridge.Caller, id, did uint64) (*store.WebhookDelivery, error) {
	if err := admin(c); err != nil {
		return nil, err
	}
	var d *store.WebhookDelivery
	err := a.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if d, err = tx.WebhookDelivery(did); err != nil || d.WebhookID != id {
			return &bridge.Error{Kind: bridge.KindNotFound, Message: "delivery not found", Err: err}
		}
		now := a.now().UTC()
		d.Status, d.NextAttemptAt, d.LeaseNode, d.LeaseUntil, d.DeliveredAt = store.WebhookPending, now, "", time.Time{}, time.Time{}
		d.CreatedAt = now // a new 72 h of retries
		return tx.PutWebhookDelivery(d)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	a.kick()
	return d, nil
}

func storeErr(err error) error {
	var e *bridge.Error
	switch {
	case err == nil || errors.As(err, &e):
		return err
	case errors.Is(err, store.ErrNotFound):
		return &bridge.Error{Kind: bridge.KindNotFound, Message: "webhook not found", Err: err}
	}
	return &bridge.Error{Kind: bridge.KindUnavailable, Message: "store unavailable", Err: err}
}
