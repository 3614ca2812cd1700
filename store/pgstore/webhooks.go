package pgstore

import (
	"fmt"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateWebhook stores w with a new id.
func (t *Tx) CreateWebhook(w *store.Webhook) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = time.Now().UTC()
	}
	t.changed(kindWebhooks)
	var id int64
	if err := t.queryRow(`INSERT INTO webhooks (data) VALUES ('{}') RETURNING id`).Scan(&id); err != nil {
		return err
	}
	w.ID = uint64(id)
	return t.putJSON(`UPDATE webhooks SET data = $2 WHERE id = $1`, w.ID, w)
}

// Webhook returns webhook id or ErrNotFound.
func (t *Tx) Webhook(id uint64) (*store.Webhook, error) {
	var w store.Webhook
	return &w, t.get(&w, "webhook", id, `SELECT data FROM webhooks WHERE id = $1`)
}

// Webhooks returns every webhook, by id: from the node's cache (the
// events recorder reads them in every write transaction).
func (t *Tx) Webhooks() ([]store.Webhook, error) {
	if v, ok, err := t.cached(kindWebhooks); err != nil || ok {
		hs, _ := v.([]store.Webhook)
		out := slices.Clone(hs)
		for i := range out {
			out[i].Events = slices.Clone(out[i].Events)
		}
		return out, err
	}
	return allJSON[store.Webhook](t, `SELECT data FROM webhooks ORDER BY id`)
}

// PutWebhook overwrites an existing webhook.
func (t *Tx) PutWebhook(w *store.Webhook) error {
	t.changed(kindWebhooks)
	data, err := mustJSON(w)
	if err != nil {
		return err
	}
	tag, err := t.exec(`UPDATE webhooks SET data = $2 WHERE id = $1`, int64(w.ID), data)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("webhook %d: %w", w.ID, store.ErrNotFound)
	}
	return err
}

// DeleteWebhook removes webhook id and its deliveries.
func (t *Tx) DeleteWebhook(id uint64) error {
	t.changed(kindWebhooks)
	tag, err := t.exec(`WITH d AS (DELETE FROM webhook_deliveries WHERE webhook_id = $1)
		DELETE FROM webhooks WHERE id = $1`, int64(id))
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("webhook %d: %w", id, store.ErrNotFound)
	}
	return err
}

// deliveryCols are the query columns of d: next_ns (nil unless pending), lease_ns.
func deliveryCols(d *store.WebhookDelivery) (any, int64) {
	var next any
	if d.Status == store.WebhookPending {
		next = d.NextAttemptAt.UnixNano()
	}
	var lease int64
	if !d.LeaseUntil.IsZero() {
		lease = d.LeaseUntil.UnixNano()
	}
	return next, lease
}

// AddWebhookDelivery stores d with a new id.
func (t *Tx) AddWebhookDelivery(d *store.WebhookDelivery) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now().UTC()
	}
	next, lease := deliveryCols(d)
	var id int64
	err := t.queryRow(`INSERT INTO webhook_deliveries (webhook_id, created_ns, next_ns, lease_ns, data)
		VALUES ($1, $2, $3, $4, '{}') RETURNING id`, int64(d.WebhookID), d.CreatedAt.UnixNano(), next, lease).Scan(&id)
	if err != nil {
		return err
	}
	d.ID = uint64(id)
	return t.putJSON(`UPDATE webhook_deliveries SET data = $2 WHERE id = $1`, d.ID, d)
}

// WebhookDelivery returns delivery id or ErrNotFound.
func (t *Tx) WebhookDelivery(id uint64) (*store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	return &d, t.get(&d, "webhook delivery", id, `SELECT data FROM webhook_deliveries WHERE id = $1`)
}

// PutWebhookDelivery overwrites an existing delivery.
func (t *Tx) PutWebhookDelivery(d *store.WebhookDelivery) error {
	data, err := mustJSON(d)
	if err != nil {
		return err
	}
	next, lease := deliveryCols(d)
	tag, err := t.exec(`UPDATE webhook_deliveries SET next_ns = $2, lease_ns = $3, data = $4 WHERE id = $1`,
		int64(d.ID), next, lease, data)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("webhook delivery %d: %w", d.ID, store.ErrNotFound)
	}
	return err
}

// WebhookDeliveries returns webhook id's deliveries, by id.
func (t *Tx) WebhookDeliveries(webhookID uint64) ([]store.WebhookDelivery, error) {
	return allJSON[store.WebhookDelivery](t, `SELECT data FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id`, int64(webhookID))
}

// ClaimWebhookDeliveries leases up to max due pending deliveries to node:
// rows another node's transaction is claiming are skipped (SKIP LOCKED),
// and a lease still running elsewhere is respected.
func (t *Tx) ClaimWebhookDeliveries(now time.Time, node string, until time.Time, max int) ([]store.WebhookDelivery, error) {
	ds, err := allJSON[store.WebhookDelivery](t, `SELECT data FROM webhook_deliveries
		WHERE next_ns IS NOT NULL AND next_ns <= $1 AND lease_ns <= $1
		ORDER BY next_ns LIMIT $2 FOR UPDATE SKIP LOCKED`, now.UnixNano(), max)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].LeaseNode, ds[i].LeaseUntil = node, until
		if err := t.PutWebhookDelivery(&ds[i]); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// NextWebhookDelivery returns when the earliest pending delivery is due.
func (t *Tx) NextWebhookDelivery() (time.Time, bool, error) {
	var ns *int64
	if err := t.queryRow(`SELECT min(next_ns) FROM webhook_deliveries WHERE next_ns IS NOT NULL`).Scan(&ns); err != nil || ns == nil {
		return time.Time{}, false, err
	}
	return time.Unix(0, *ns), true, nil
}

// PruneWebhookDeliveries deletes up to max deliveries created before `before`.
func (t *Tx) PruneWebhookDeliveries(before time.Time, max int) (int, error) {
	tag, err := t.exec(`DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE created_ns < $1 ORDER BY created_ns LIMIT $2)`, before.UnixNano(), max)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}
