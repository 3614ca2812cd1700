package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testOutbox: events are queued per consumer, claimed oldest first, and
// deleted once every consumer acknowledged them; an event for no consumer
// is not stored.
func testOutbox(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var ids []uint64
	err := update(s, func(tx store.Tx) error {
		ids = nil
		for i, typ := range []string{"message.created", "item.created", "conversation.created"} {
			e := &store.OutboxEvent{Type: typ, At: at.Add(time.Duration(i) * time.Second), Data: json.RawMessage(`{"id":7}`)}
			consumers := []string{store.ConsumerWebhooks}
			if i == 1 {
				consumers = append(consumers, store.ConsumerAutomations)
			}
			if err := tx.AddOutboxEvent(e, consumers...); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		return tx.AddOutboxEvent(&store.OutboxEvent{Type: "nobody.wants"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !(ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Fatalf("event ids do not grow: %v", ids)
	}
	s = reopen()
	err = update(s, func(tx store.Tx) error {
		if n := must(tx.OutboxQueued(store.ConsumerWebhooks)); n != 3 {
			t.Fatalf("webhooks queue: %d", n)
		}
		es := must(tx.ClaimOutbox(store.ConsumerWebhooks, 2))
		if len(es) != 2 || es[0].ID != ids[0] || es[1].ID != ids[1] || es[0].Type != "message.created" || !es[1].At.Equal(at.Add(time.Second)) || string(es[0].Data) != `{"id": 7}` && string(es[0].Data) != `{"id":7}` {
			t.Fatalf("claimed %+v", es)
		}
		return tx.AckOutbox(store.ConsumerWebhooks, []uint64{ids[0], ids[1]})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		es := must(tx.ClaimOutbox(store.ConsumerWebhooks, 10))
		if len(es) != 1 || es[0].ID != ids[2] {
			t.Fatalf("after the ack: %+v", es)
		}
		// The event another consumer still has queued stays.
		if es := must(tx.ClaimOutbox(store.ConsumerAutomations, 10)); len(es) != 1 || es[0].ID != ids[1] || es[0].Type != "item.created" {
			t.Fatalf("automations queue: %+v", es)
		}
		return nil
	})
}

// testWebhookDeliveries: the due order follows state, a lease keeps a
// delivery from a second claim until it runs out, deleting a webhook
// deletes its deliveries, and pruning goes by creation time.
func testWebhookDeliveries(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var w1, w2 store.Webhook
	var d [3]store.WebhookDelivery
	err := update(s, func(tx store.Tx) error {
		w1 = store.Webhook{URL: "https://a.test/h", Events: []string{"message.created"}, Enabled: true, Secret: "whsec_x", CreatedAt: now}
		w2 = store.Webhook{URL: "https://b.test/h", Events: []string{"item.created"}, Enabled: true, Secret: "whsec_y", CreatedAt: now}
		if err := tx.CreateWebhook(&w1); err != nil {
			return err
		}
		if err := tx.CreateWebhook(&w2); err != nil {
			return err
		}
		for i := range d {
			hook := w1.ID
			if i == 2 {
				hook = w2.ID
			}
			d[i] = store.WebhookDelivery{WebhookID: hook, EventID: uint64(10 + i), Type: "message.created", Body: `{"type":"message.created"}`,
				CreatedAt: now.Add(time.Duration(i) * time.Minute), Status: store.WebhookPending, NextAttemptAt: now.Add(time.Duration(2-i) * time.Second)}
			if err := tx.AddWebhookDelivery(&d[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen()
	if !must(view2(s, func(tx store.Tx) (bool, error) {
		w, err := tx.Webhook(w1.ID)
		return err == nil && w.Secret == "whsec_x" && w.Wants("message.created") && !w.Wants("item.created"), err
	})) {
		t.Fatal("webhook read back wrong")
	}
	var claimed []store.WebhookDelivery
	err = update(s, func(tx store.Tx) error {
		next, ok := must2(tx.NextWebhookDelivery())
		if !ok || !next.Equal(now) {
			t.Fatalf("next due: %v %v", next, ok)
		}
		var err error
		claimed, err = tx.ClaimWebhookDeliveries(now.Add(time.Second), "n1", now.Add(time.Minute), 10)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 2 || claimed[0].ID != d[2].ID || claimed[1].ID != d[1].ID || claimed[0].LeaseNode != "n1" || claimed[0].Body != `{"type":"message.created"}` {
		t.Fatalf("claimed %+v", claimed)
	}
	// Leased: neither node gets them again until the lease runs out.
	for _, node := range []string{"n1", "n2"} {
		err = update(s, func(tx store.Tx) error {
			got := must(tx.ClaimWebhookDeliveries(now.Add(5*time.Second), node, now.Add(time.Minute), 10))
			if len(got) != 1 || got[0].ID != d[0].ID {
				t.Fatalf("%s claimed %+v while leased", node, got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if node == "n1" {
			// Give d[0] back, as a failed attempt would, due again.
			err = update(s, func(tx store.Tx) error {
				x := must(tx.WebhookDelivery(d[0].ID))
				x.LeaseNode, x.LeaseUntil, x.Attempts = "", time.Time{}, 1
				return tx.PutWebhookDelivery(x)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	err = update(s, func(tx store.Tx) error {
		got := must(tx.ClaimWebhookDeliveries(now.Add(2*time.Minute), "n2", now.Add(3*time.Minute), 10))
		if len(got) != 3 {
			t.Fatalf("after the leases ran out: %+v", got)
		}
		x := got[0]
		x.Status, x.DeliveredAt, x.LeaseUntil = store.WebhookDelivered, now, time.Time{}
		return tx.PutWebhookDelivery(&x)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = update(s, func(tx store.Tx) error {
		if n, err := tx.PruneWebhookDeliveries(now.Add(30*time.Second), 10); err != nil || n != 1 {
			t.Fatalf("pruned %d %v", n, err)
		}
		if ds := must(tx.WebhookDeliveries(w1.ID)); len(ds) != 1 || ds[0].ID != d[1].ID {
			t.Fatalf("w1 deliveries after prune: %+v", ds)
		}
		return tx.DeleteWebhook(w1.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if _, err := tx.WebhookDelivery(d[1].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a deleted webhook's delivery: %v", err)
		}
		if ds := must(tx.WebhookDeliveries(w2.ID)); len(ds) != 1 {
			t.Fatalf("w2 deliveries: %+v", ds)
		}
		if ws := must(tx.Webhooks()); len(ws) != 1 || ws[0].ID != w2.ID {
			t.Fatalf("webhooks: %+v", ws)
		}
		return nil
	})
	if err := update(s, func(tx store.Tx) error { return tx.PutWebhook(&w1) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PutWebhook of a deleted webhook: %v", err)
	}
}

// view2 runs fn in a read transaction and returns its value.
func view2[T any](s store.Store, fn func(store.Tx) (T, error)) (T, error) {
	var v T
	err := view(s, func(tx store.Tx) error { var err error; v, err = fn(tx); return err })
	return v, err
}
