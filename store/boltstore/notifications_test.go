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

// A due-order entry whose pair index says otherwise is dropped; a valid
// timer is kept.
func TestDropStaleTimer(t *testing.T) {
	s, _ := openTemp(t)
	r := store.Recipient{Type: store.KindUser, ID: 1}
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	err := s.update(func(tx *Tx) error {
		if err := tx.SetTimer(r, 5, t0); err != nil {
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
