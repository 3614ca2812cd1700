package boltstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Webhook buckets.
var (
	bWebhooks      = []byte("webhooks")             // u64(id) → store.Webhook
	bWebhookDeliv  = []byte("webhook_deliveries")   // u64(id) → store.WebhookDelivery
	bWebhookDue    = []byte("webhook_due")          // u64(next ns) u64(id) → nil, pending only
	bWebhookByHook = []byte("webhook_deliv_byhook") // u64(webhook) u64(id) → nil
)

func hookKey(a, b uint64) []byte { return append(u64(a), u64(b)...) }

// hookDue orders a pending delivery in webhook_due: by when it is next
// claimable, its next attempt or, while leased, the lease's end, so a
// claim never scans past deliveries other workers hold.
func hookDue(d *store.WebhookDelivery) uint64 {
	at := d.NextAttemptAt
	if d.LeaseUntil.After(at) {
		at = d.LeaseUntil
	}
	return uint64(at.UnixNano())
}

// CreateWebhook stores w with a new id.
func (t *Tx) CreateWebhook(w *store.Webhook) error {
	return create(t, bWebhooks, &w.ID, &w.CreatedAt, w)
}

// Webhook returns webhook id or ErrNotFound.
func (t *Tx) Webhook(id uint64) (*store.Webhook, error) {
	var w store.Webhook
	return &w, get(t.b(bWebhooks), id, &w, "webhook")
}

// Webhooks returns every webhook, by id.
func (t *Tx) Webhooks() ([]store.Webhook, error) { return all[store.Webhook](t.b(bWebhooks)) }

// PutWebhook overwrites an existing webhook.
func (t *Tx) PutWebhook(w *store.Webhook) error {
	if t.b(bWebhooks).Get(u64(w.ID)) == nil {
		return fmt.Errorf("webhook %d: %w", w.ID, store.ErrNotFound)
	}
	return putJSON(t.b(bWebhooks), u64(w.ID), w)
}

// DeleteWebhook removes webhook id and its deliveries.
func (t *Tx) DeleteWebhook(id uint64) error {
	if t.b(bWebhooks).Get(u64(id)) == nil {
		return fmt.Errorf("webhook %d: %w", id, store.ErrNotFound)
	}
	ds, err := t.WebhookDeliveries(id)
	if err != nil {
		return err
	}
	for i := range ds {
		if err := t.deleteDelivery(&ds[i]); err != nil {
			return err
		}
	}
	return t.b(bWebhooks).Delete(u64(id))
}

func (t *Tx) deleteDelivery(d *store.WebhookDelivery) error {
	if d.Status == store.WebhookPending {
		if err := t.b(bWebhookDue).Delete(hookKey(hookDue(d), d.ID)); err != nil {
			return err
		}
	}
	if err := t.b(bWebhookByHook).Delete(hookKey(d.WebhookID, d.ID)); err != nil {
		return err
	}
	return t.b(bWebhookDeliv).Delete(u64(d.ID))
}

// AddWebhookDelivery stores d with a new id.
func (t *Tx) AddWebhookDelivery(d *store.WebhookDelivery) error {
	if err := create(t, bWebhookDeliv, &d.ID, &d.CreatedAt, d); err != nil {
		return err
	}
	if err := t.b(bWebhookByHook).Put(hookKey(d.WebhookID, d.ID), nil); err != nil {
		return err
	}
	if d.Status == store.WebhookPending {
		return t.b(bWebhookDue).Put(hookKey(hookDue(d), d.ID), nil)
	}
	return nil
}

// WebhookDelivery returns delivery id or ErrNotFound.
func (t *Tx) WebhookDelivery(id uint64) (*store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	return &d, get(t.b(bWebhookDeliv), id, &d, "webhook delivery")
}

// PutWebhookDelivery overwrites an existing delivery and its due entry.
func (t *Tx) PutWebhookDelivery(d *store.WebhookDelivery) error {
	old, err := t.WebhookDelivery(d.ID)
	if err != nil {
		return err
	}
	due := t.b(bWebhookDue)
	if old.Status == store.WebhookPending {
		if err := due.Delete(hookKey(hookDue(old), d.ID)); err != nil {
			return err
		}
	}
	if d.Status == store.WebhookPending {
		if err := due.Put(hookKey(hookDue(d), d.ID), nil); err != nil {
			return err
		}
	}
	return putJSON(t.b(bWebhookDeliv), u64(d.ID), d)
}

// WebhookDeliveries returns webhook id's deliveries, by id.
func (t *Tx) WebhookDeliveries(webhookID uint64) ([]store.WebhookDelivery, error) {
	var out []store.WebhookDelivery
	prefix := u64(webhookID)
	c := t.b(bWebhookByHook).Cursor()
	for k, _ := c.Seek(prefix); len(k) == 16 && string(k[:8]) == string(prefix); k, _ = c.Next() {
		d, err := t.WebhookDelivery(decodeU64(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// ClaimWebhookDeliveries leases up to max due pending deliveries to node.
func (t *Tx) ClaimWebhookDeliveries(now time.Time, node string, until time.Time, max int) ([]store.WebhookDelivery, error) {
	var ids []uint64
	c := t.b(bWebhookDue).Cursor()
	for k, _ := c.First(); k != nil && len(ids) < max; k, _ = c.Next() {
		if int64(decodeU64(k[:8])) > now.UnixNano() {
			break
		}
		ids = append(ids, decodeU64(k[8:]))
	}
	var out []store.WebhookDelivery
	for _, id := range ids {
		if len(out) == max {
			break
		}
		d, err := t.WebhookDelivery(id)
		if err != nil {
			return nil, err
		}
		if now.Before(d.LeaseUntil) { // held, by this node too: an attempt is under way
			continue
		}
		d.LeaseNode, d.LeaseUntil = node, until
		if err := t.PutWebhookDelivery(d); err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// NextWebhookDelivery returns when the earliest pending delivery is due.
func (t *Tx) NextWebhookDelivery() (time.Time, bool, error) {
	k, _ := t.b(bWebhookDue).Cursor().First()
	if k == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, int64(decodeU64(k[:8]))), true, nil // a leased one: when its lease ends
}

// PruneWebhookDeliveries deletes up to max deliveries created before `before`.
func (t *Tx) PruneWebhookDeliveries(before time.Time, max int) (int, error) {
	var old []store.WebhookDelivery
	err := t.b(bWebhookDeliv).ForEach(func(_, v []byte) error {
		if len(old) >= max {
			return nil
		}
		var d store.WebhookDelivery
		if err := jsonUnmarshal(v, &d); err != nil {
			return err
		}
		if d.CreatedAt.Before(before) {
			old = append(old, d)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i := range old {
		if err := t.deleteDelivery(&old[i]); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}
