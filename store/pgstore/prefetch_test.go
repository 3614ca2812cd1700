package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// TestInboundPrefetchOneStatement: PrefetchInbound reads Message-ID index
// entries and customers, found or not, and draws ids, in one statement;
// MessageRef and CustomerByEmail answer from it without a statement (a
// customer once), the message takes its drawn id and is written with
// the commit, and a table it drew no id of loses none.
func TestInboundPrefetchOneStatement(t *testing.T) {
	w := newBudgetWorld(t, 0)
	ctx := context.Background()
	at := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	var conv, lastItem uint64
	if err := w.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateCustomer(&store.Customer{Email: "carol@example.com", Name: "Carol", CreatedAt: at}); err != nil {
			return err
		}
		it := &store.Item{ProjectID: 1, Title: "t", Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: at}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		c := &store.Conversation{ItemID: it.ID, ProjectID: 1, Kind: store.KindExternal, Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: at}
		if err := tx.CreateConversation(c); err != nil {
			return err
		}
		conv, lastItem = c.ID, it.ID
		return tx.PutMessageRef("m1@x.test", store.MessageRef{ConversationID: c.ID, Sender: "carol@example.com"})
	}); err != nil {
		t.Fatal(err)
	}
	var msg, item uint64
	var first, reads, creates, again int
	if err := w.st.Update(ctx, func(tx store.Tx) error {
		var err error
		first, _, _ = w.cnt.measure(t, func() {
			err = store.PrefetchInbound(tx, store.InboundReads{MessageIDs: []string{"m1@x.test", "m2@x.test"},
				Customers: []string{"Carol@Example.com", "nobody@x.test"}, NewIDs: store.NewIDs{Messages: 1}})
		})
		if err != nil {
			return err
		}
		reads, _, _ = w.cnt.measure(t, func() {
			if r, err := tx.MessageRef("m1@x.test"); err != nil || r.ConversationID != conv {
				t.Errorf("MessageRef(m1): %+v, %v", r, err)
			}
			if _, err := tx.MessageRef("m2@x.test"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("MessageRef(m2): %v, want not found", err)
			}
			if c, err := tx.CustomerByEmail("carol@example.com"); err != nil || c.Name != "Carol" {
				t.Errorf("CustomerByEmail(carol): %+v, %v", c, err)
			}
			if _, err := tx.CustomerByEmail("nobody@x.test"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("CustomerByEmail(nobody): %v, want not found", err)
			}
		})
		m := &store.Message{ConversationID: conv, Kind: store.KindExternal, Body: "hello", Attachments: []store.Attachment{}, CreatedAt: at}
		it := &store.Item{ProjectID: 1, Title: "u", Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: at}
		creates, _, _ = w.cnt.measure(t, func() {
			if err = tx.CreateMessage(m, nil); err == nil {
				err = tx.CreateItem(it) // no id drawn: its own INSERT … RETURNING
			}
		})
		msg, item = m.ID, it.ID
		again, _, _ = w.cnt.measure(t, func() { _, _ = tx.CustomerByEmail("carol@example.com") })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if first != 1 || reads != 0 || creates != 1 || again != 1 {
		t.Errorf("statements: prefetch %d (want 1), reads after it %d (want 0), message and item %d (want 1: the item's), "+
			"the customer read again %d (want 1)", first, reads, creates, again)
	}
	if item != lastItem+1 {
		t.Errorf("item %d after item %d: the prefetch drew an item id it was not asked for", item, lastItem)
	}
	if err := w.st.View(ctx, func(tx store.Tx) error {
		m, err := tx.Message(msg)
		if err != nil || m.Body != "hello" || m.ID != msg {
			t.Errorf("message %d: %+v, %v", msg, m, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
