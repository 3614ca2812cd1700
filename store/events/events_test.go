package events_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/store/storetest"
)

func queued(t *testing.T, st store.Store) int {
	var n int
	if err := st.View(context.Background(), func(tx store.Tx) (err error) { n, err = tx.OutboxQueued(store.ConsumerWebhooks); return }); err != nil {
		t.Fatal(err)
	}
	return n
}

// An event exists if and only if its change committed, and only when a
// webhook wants its type.
func TestEventsCommitWithTheirChange(t *testing.T) {
	notified := 0
	st := events.Record(storetest.Open(t, t.TempDir()), nil)
	defer st.Close()
	st.SetNotify(func() { notified++ })
	ctx := context.Background()
	var project uint64
	mkItem := func(fail error) error {
		return st.Update(ctx, func(tx store.Tx) error {
			if project == 0 {
				p := &store.Project{Name: "P"}
				if err := tx.CreateProject(p); err != nil {
					return err
				}
				project = p.ID
			}
			if err := tx.CreateItem(&store.Item{ProjectID: project, Title: "x", Status: store.ItemOpen}); err != nil {
				return err
			}
			return fail
		})
	}
	if err := mkItem(nil); err != nil {
		t.Fatal(err)
	}
	if n := queued(t, st); n != 0 || notified != 0 {
		t.Fatalf("without webhooks: %d events queued, %d notifications", n, notified)
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		return tx.CreateWebhook(&store.Webhook{URL: "https://h.test/", Events: []string{events.ItemCreated, events.ItemStatusChanged}, Enabled: true, Secret: "whsec_eA=="})
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("refused")
	if err := mkItem(boom); !errors.Is(err, boom) {
		t.Fatalf("failing transaction: %v", err)
	}
	if n := queued(t, st); n != 0 || notified != 0 {
		t.Fatalf("a rolled-back change left %d events (%d notifications)", n, notified)
	}
	if err := mkItem(nil); err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		it, err := tx.Item(1)
		if err != nil {
			return err
		}
		it.Status = store.ItemClosed
		it.Assignees = []uint64{9} // item.assignees_changed: not subscribed
		return tx.PutItem(it)
	})
	if err != nil {
		t.Fatal(err)
	}
	var evs []store.OutboxEvent
	_ = st.View(ctx, func(tx store.Tx) (err error) { evs, err = tx.ClaimOutbox(store.ConsumerWebhooks, 10); return })
	if len(evs) != 2 || evs[0].Type != events.ItemCreated || evs[1].Type != events.ItemStatusChanged || notified != 2 {
		t.Fatalf("events %+v, %d notifications", evs, notified)
	}
}

type parallelStore struct{ store.Store }

func (parallelStore) ParallelWrites() int { return 4 }

// The wrapper keeps the wrapped store's parallel writes: serve wraps the
// store, and the timer loop asks the wrapper.
func TestRecordKeepsParallelWrites(t *testing.T) {
	var st store.Store = events.Record(parallelStore{}, nil)
	p, ok := st.(store.ParallelWriter)
	if !ok || p.ParallelWrites() != 4 {
		t.Fatalf("wrapped parallel store: %v", ok)
	}
	if n := events.Record(struct{ store.Store }{}, nil).ParallelWrites(); n != 1 {
		t.Fatalf("wrapped serial store: %d parallel writes, want 1", n)
	}
}
