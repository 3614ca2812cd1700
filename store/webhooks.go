package store

import "time"

// Webhooks (SPEC §14): HTTP endpoints told of events, and each event's
// delivery to each of them.

// Webhook is an endpoint subscribed to event types.
type Webhook struct {
	ID      uint64   `json:"id"`
	URL     string   `json:"url"`
	Events  []string `json:"events"`
	Enabled bool     `json:"enabled"`
	// Secret signs the deliveries: "whsec_" + base64 of 32 random bytes
	// (Standard Webhooks). Shown to the API once.
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
	// DisabledReason says why deskgate disabled it (a 410 answer); empty
	// when an admin did or it is enabled.
	DisabledReason string `json:"disabled_reason,omitempty"`
}

// Wants reports whether w is enabled and subscribed to event type t.
func (w *Webhook) Wants(t string) bool {
	if !w.Enabled {
		return false
	}
	for _, e := range w.Events {
		if e == t {
			return true
		}
	}
	return false
}

// Webhook delivery states.
const (
	WebhookPending   = "pending"   // to be attempted at NextAttemptAt
	WebhookDelivered = "delivered" // a 2xx answer
	WebhookFailed    = "failed"    // given up: 72 h of failures, a 410, or the webhook disabled
)

// WebhookDelivery is one event's delivery to one webhook: its body (fixed
// at fan-out, so every retry sends the same bytes under the same
// webhook-id) and its attempts.
type WebhookDelivery struct {
	ID        uint64    `json:"id"`
	WebhookID uint64    `json:"webhook_id"`
	EventID   uint64    `json:"event_id"`
	Type      string    `json:"type"`
	Body      string    `json:"body"` // {"type","timestamp","data"}
	CreatedAt time.Time `json:"created_at"`

	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastStatusCode int       `json:"last_status_code"`
	LastError      string    `json:"last_error"`
	NextAttemptAt  time.Time `json:"next_attempt_at,omitzero"` // pending only
	DeliveredAt    time.Time `json:"delivered_at,omitzero"`

	// Lease: the node attempting it until LeaseUntil (one node sends each
	// attempt; a node that dies leaves it to the others after that).
	LeaseNode  string    `json:"lease_node,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// WebhooksTx holds webhooks and their deliveries.
type WebhooksTx interface {
	// CreateWebhook stores w with a new id.
	CreateWebhook(w *Webhook) error
	// Webhook returns webhook id or ErrNotFound.
	Webhook(id uint64) (*Webhook, error)
	// Webhooks returns every webhook, by id.
	Webhooks() ([]Webhook, error)
	// PutWebhook overwrites an existing webhook; ErrNotFound when none.
	PutWebhook(w *Webhook) error
	// DeleteWebhook removes webhook id and its deliveries; ErrNotFound
	// when none.
	DeleteWebhook(id uint64) error

	// AddWebhookDelivery stores d with a new id.
	AddWebhookDelivery(d *WebhookDelivery) error
	// WebhookDelivery returns delivery id or ErrNotFound.
	WebhookDelivery(id uint64) (*WebhookDelivery, error)
	// PutWebhookDelivery overwrites an existing delivery, keeping the due
	// order in step; ErrNotFound when it was deleted.
	PutWebhookDelivery(d *WebhookDelivery) error
	// WebhookDeliveries returns webhook id's deliveries, by id.
	WebhookDeliveries(webhookID uint64) ([]WebhookDelivery, error)
	// ClaimWebhookDeliveries leases to node until `until` up to max
	// pending deliveries due at or before now whose lease is free or
	// expired, earliest first, and returns them (leased). Concurrent
	// claims on other nodes never get the same ones.
	ClaimWebhookDeliveries(now time.Time, node string, until time.Time, max int) ([]WebhookDelivery, error)
	// NextWebhookDelivery returns when the earliest pending delivery is due.
	NextWebhookDelivery() (time.Time, bool, error)
	// PruneWebhookDeliveries deletes up to max deliveries, pending or
	// not, created before `before`, and returns how many.
	PruneWebhookDeliveries(before time.Time, max int) (int, error)
}
