package pgstore

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestAddedDeliveriesSkipTheUpsert: the deliveries of a message just
// created (AddDelivery, also when changed again in the transaction) go in
// a plain INSERT, without ON CONFLICT's speculative insertion; a
// PutDelivery of a stored delivery is still an upsert, in the same
// statement; and every row reads back as last written.
func TestAddedDeliveriesSkipTheUpsert(t *testing.T) {
	ctx := context.Background()
	log := &statementLog{re: regexp.MustCompile(`INSERT INTO deliveries`)}
	s, err := Open(ctx, pgtest.NewSchema(t), WithTracer(log))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	d := func(msg, user uint64, status string) *store.Delivery {
		return &store.Delivery{MessageID: msg, ConversationID: 1, NotifiedAt: at, EmailStatus: status,
			Recipient: store.Recipient{Type: store.KindUser, ID: user, Email: "u@support.test"}}
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.AddDelivery(d(1, 5, store.EmailPending)) }); err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	log.on = true
	log.mu.Unlock()
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, f := range []func() error{
			func() error { return tx.AddDelivery(d(2, 5, store.EmailPending)) },
			func() error { return tx.AddDelivery(d(2, 6, store.EmailPending)) },
			func() error { return tx.PutDelivery(d(2, 6, store.EmailSkipped)) }, // still not stored
			func() error { return tx.PutDelivery(d(1, 5, store.EmailSent)) },    // stored
		} {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	log.on = false
	sqls := log.sqls
	log.mu.Unlock()
	if len(sqls) != 1 {
		t.Fatalf("%d statements wrote deliveries, want 1:\n%s", len(sqls), strings.Join(sqls, "\n"))
	}
	if n, upserts := strings.Count(sqls[0], "INSERT INTO deliveries"), strings.Count(sqls[0], "ON CONFLICT (message_id, rtype, rid)"); n != 2 || upserts != 1 {
		t.Fatalf("want one plain insert and one upsert of deliveries, got %d inserts, %d upserts:\n%s", n, upserts, sqls[0])
	}
	want := map[[2]uint64]string{{1, 5}: store.EmailSent, {2, 5}: store.EmailPending, {2, 6}: store.EmailSkipped}
	err = s.View(ctx, func(tx store.Tx) error {
		for k, status := range want {
			got, err := tx.Delivery(k[0], store.Recipient{Type: store.KindUser, ID: k[1]})
			if err != nil {
				return err
			}
			if got.EmailStatus != status {
				t.Errorf("delivery of message %d to user %d: status %q, want %q", k[0], k[1], got.EmailStatus, status)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
