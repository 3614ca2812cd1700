package boltstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

func TestDeliveryRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 123, time.UTC)
	seen, mailed := at.Add(time.Second), at.Add(time.Minute)
	for _, d := range []store.Delivery{
		{MessageID: 1, ConversationID: 2, Recipient: store.Recipient{Type: store.KindUser, ID: 3, Email: "a@b.test", Name: "Ä b"},
			NotifiedAt: at, EmailStatus: store.EmailPending},
		{MessageID: 1 << 40, ConversationID: 7, Recipient: store.Recipient{Type: store.KindCustomer, ID: 1 << 50, Email: "c@d.test"},
			NotifiedAt: at, SeenAt: &seen, EmailStatus: store.EmailQueued, EmailedAt: &mailed, OutboundID: 99, Detail: "seen at …"},
	} {
		var got store.Delivery
		if err := decodeDelivery(encodeDelivery(&d), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, d)
		}
		if b := encodeDelivery(&d); len(b) > 100 {
			t.Errorf("delivery record is %d bytes", len(b))
		}
	}
	var d store.Delivery
	if err := decodeDelivery([]byte{deliveryV1, 1, 2}, &d); err == nil {
		t.Fatal("a truncated record decoded")
	}
	if err := decodeDelivery([]byte{42}, &d); err == nil {
		t.Fatal("an unknown record version decoded")
	}
}

func TestSettingsRecordRoundTripAndOldJSON(t *testing.T) {
	s, _ := openTemp(t)
	custom := store.Settings{ConversationVisibility: "followed", ShowFromCustomers: false, FromCustomers: "all",
		FromUsersAndBot: "none", FollowedInternal: false, EmailAssignmentChanges: false, EmailNewMembers: true, AcceptAllInvitations: false}
	err := s.update(func(tx *Tx) error {
		if got, err := tx.Settings(9); err != nil || got != store.DefaultSettings() {
			t.Fatalf("never set: %+v %v", got, err)
		}
		for _, want := range []store.Settings{store.DefaultSettings(), custom} {
			if err := tx.PutSettings(4, want); err != nil {
				return err
			}
			if got, err := tx.Settings(4); err != nil || got != want {
				t.Fatalf("round trip: %+v %v, want %+v", got, err, want)
			}
		}
		// A record written as JSON (before the compact encoding) still reads.
		if err := putJSON(tx.b(bSettings), u64(5), custom); err != nil {
			return err
		}
		if got, err := tx.Settings(5); err != nil || got != custom {
			t.Fatalf("JSON record: %+v %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// deliver stores an unseen delivery of message msg (of conv) to r, with
// the message indexed under its conversation as CreateMessage does.
func deliver(t *testing.T, tx *Tx, r store.Recipient, conv, msg uint64) {
	t.Helper()
	if err := tx.b(bConvMessages).Put(pair(conv, msg), nil); err != nil {
		t.Fatal(err)
	}
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
func TestInboxUnseenCountsAndSeeUpTo(t *testing.T) {
	s, _ := openTemp(t)
	u := store.Recipient{Type: store.KindUser, ID: 1}
	other := store.Recipient{Type: store.KindCustomer, ID: 1}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
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

// A due-order entry whose pair index says otherwise is dropped; a valid
// timer is kept.
func TestDropStaleTimer(t *testing.T) {
	s, _ := openTemp(t)
	r := store.Recipient{Type: store.KindUser, ID: 1}
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
		if _, err := tx.SetTimer(r, 5, t0); err != nil {
			return err
		}
		if dropped, err := tx.DropStaleTimer(store.Timer{Due: t0, Recipient: r, Conversation: 5}); err != nil || dropped {
			t.Fatalf("valid timer dropped=%v err=%v", dropped, err)
		}
		// Damage: the pair index loses its entry.
		if err := tx.b(bTimerByPair).Delete(pairKey(r, 5)); err != nil {
			return err
		}
		due := must(tx.DueTimers(t0, 10))
		if len(due) != 1 {
			t.Fatalf("due %v", due)
		}
		if dropped, err := tx.DropStaleTimer(due[0]); err != nil || !dropped {
			t.Fatalf("stale timer dropped=%v err=%v", dropped, err)
		}
		if n := must(tx.TimerCount()); n != 0 {
			t.Fatalf("%d timers left", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
