package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// createMessages creates messages 1, 2, … in the conversations convs
// names, in order, and fails unless the store numbered them so.
func createMessages(t *testing.T, tx store.Tx, convs ...uint64) {
	t.Helper()
	for i, conv := range convs {
		m := &store.Message{ConversationID: conv, Body: "m"}
		if err := tx.CreateMessage(m, nil); err != nil {
			t.Fatal(err)
		}
		if m.ID != uint64(i+1) {
			t.Fatalf("message %d got id %d in a new store", i+1, m.ID)
		}
	}
}

// deliver stores an unseen delivery of message msg (of conv) to r.
func deliver(t *testing.T, tx store.Tx, r store.Recipient, conv, msg uint64) {
	t.Helper()
	if err := tx.PutDelivery(&store.Delivery{MessageID: msg, ConversationID: conv, Recipient: r, EmailStatus: store.EmailPending}); err != nil {
		t.Fatal(err)
	}
}

func msgIDs(ds []store.Delivery) []uint64 {
	out := []uint64{}
	for _, d := range ds {
		out = append(out, d.MessageID)
	}
	return out
}

// The inbox is found through the conversations' messages and the
// per-(conversation, recipient) state; unseen counts follow every change.
func testInboxUnseenCountsAndSeeUpTo(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	u := store.Recipient{Type: store.KindUser, ID: 1}
	other := store.Recipient{Type: store.KindCustomer, ID: 1}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		createMessages(t, tx, 10, 10, 10, 10, 10, 20, 20, 30, 30, 40, 10)
		// conv 10: u notified of 1, 3, 5 (2 and 4 are not for u); conv 20: 6, 7; conv 30 is the
		// last conversation of the bucket.
		for _, m := range []uint64{1, 3, 5} {
			deliver(t, tx, u, 10, m)
		}
		for _, m := range []uint64{2, 4} {
			deliver(t, tx, other, 10, m)
		}
		deliver(t, tx, u, 20, 6)
		deliver(t, tx, u, 20, 7)
		deliver(t, tx, u, 30, 8)
		deliver(t, tx, u, 30, 9)
		if got := must(tx.UnseenCounts(u)); !reflect.DeepEqual(got, map[uint64]int{10: 3, 20: 2, 30: 2}) {
			t.Fatalf("unseen counts %v", got)
		}
		all, err := tx.Inbox(u, store.InboxQuery{})
		if err != nil {
			return err
		}
		if got := msgIDs(all); !reflect.DeepEqual(got, []uint64{1, 3, 5, 6, 7, 8, 9}) {
			t.Fatalf("inbox %v", got)
		}
		for _, c := range []struct {
			q    store.InboxQuery
			want []uint64
		}{
			{store.InboxQuery{Conversation: 10, UpTo: 3}, []uint64{1, 3}},
			{store.InboxQuery{After: 5}, []uint64{6, 7, 8, 9}},
			{store.InboxQuery{Last: 1}, []uint64{5, 7, 9}},
			{store.InboxQuery{Last: 2, UpTo: 8}, []uint64{3, 5, 6, 7, 8}},
			{store.InboxQuery{Conversation: 30, Last: 5}, []uint64{8, 9}},
		} {
			ds, err := tx.Inbox(u, c.q)
			if err != nil {
				return err
			}
			if got := msgIDs(ds); !reflect.DeepEqual(got, c.want) {
				t.Errorf("inbox %+v: %v, want %v", c.q, got, c.want)
			}
		}
		// Seeing 3 sees 1 too, and nothing of another recipient.
		seen, err := tx.SeeUpTo(u, 10, 3, func(d *store.Delivery) { d.SeenAt = &now; d.EmailStatus = store.EmailSkipped })
		if err != nil {
			return err
		}
		if got := msgIDs(seen); !reflect.DeepEqual(got, []uint64{1, 3}) {
			t.Fatalf("seen %v", got)
		}
		if n := must(tx.UnseenCount(u, 10)); n != 1 {
			t.Fatalf("unseen in 10 after seeing 3: %d", n)
		}
		if n := must(tx.UnseenCount(other, 10)); n != 2 {
			t.Fatalf("the other recipient's unseen: %d", n)
		}
		unseen, err := tx.Inbox(u, store.InboxQuery{UnseenOnly: true})
		if err != nil {
			return err
		}
		if got := msgIDs(unseen); !reflect.DeepEqual(got, []uint64{5, 6, 7, 8, 9}) {
			t.Fatalf("unseen %v", got)
		}
		if d, err := tx.Delivery(1, u); err != nil || d.SeenAt == nil || d.EmailStatus != store.EmailSkipped {
			t.Fatalf("delivery 1 after seen: %+v %v", d, err)
		}
		// Seeing again changes nothing; a later delivery is unseen again.
		if again, err := tx.SeeUpTo(u, 10, 3, func(d *store.Delivery) { d.SeenAt = &now }); err != nil || len(again) != 0 {
			t.Fatalf("seen twice: %v %v", again, err)
		}
		deliver(t, tx, u, 10, 11)
		if n := must(tx.UnseenCount(u, 10)); n != 2 {
			t.Fatalf("unseen after a new one: %d", n)
		}
		// A changed delivery stored again (the email went out) keeps the count.
		d, _ := tx.Delivery(5, u)
		d.EmailStatus = store.EmailQueued
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		if n := must(tx.UnseenCount(u, 10)); n != 2 {
			t.Fatalf("unseen after an email status change: %d", n)
		}
		if _, err := tx.SeeUpTo(u, 10, 5, func(d *store.Delivery) {}); err == nil {
			t.Fatal("SeeUpTo accepted a see func that does not set SeenAt")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
