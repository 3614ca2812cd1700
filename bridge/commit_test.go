package bridge_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Concurrent posts share commits (group commit) and each is stored once,
// with its notifications, and answers with its own message.
func TestConcurrentPostsAreEachStoredOnce(t *testing.T) {
	w := newWorld(t, 3, &logOutbox{})
	const n = 64
	var wg sync.WaitGroup
	ids := make(chan uint64, n)
	for i := range n {
		wg.Go(func() {
			m, err := w.svc.Conversations.PostMessage(context.Background(), w.agent, w.conv, bridge.NewMessage{Body: fmt.Sprintf("post %d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			if m.Body != fmt.Sprintf("post %d", i) {
				t.Errorf("post %d answered with message %q", i, m.Body)
			}
			ids <- m.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[uint64]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("message id %d answered twice", id)
		}
		seen[id] = true
	}
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		if ids, err := tx.MessageIDs(w.conv); err != nil || len(ids) != n {
			t.Fatalf("%d messages stored (%v), want %d", len(ids), err, n)
		}
		for id := range seen {
			ds, err := tx.Deliveries(id)
			if err != nil || len(ds) != 3 {
				t.Fatalf("message %d: %d deliveries (%v), want 3", id, len(ds), err)
			}
		}
		for i := range 3 {
			r := store.Recipient{Type: store.KindCustomer, ID: uint64(i + 1)}
			if got, err := tx.UnseenCount(r, w.conv); err != nil || got != n {
				t.Fatalf("customer %d: %d unseen, want %d", i+1, got, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
