package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testReservedIDsCreate: what a transaction creates after store.ReserveIDs
// (PostgreSQL: ids drawn ahead, rows written blindly with the next
// statement) reads back in the transaction and after its commit as
// without the hint; a change to a row created this way is kept; creating
// more than reserved, or less, is correct; and in a group, a refused
// function's reserved rows go with it.
func testReservedIDsCreate(t *testing.T, b Backend) {
	st, _ := b.Open(t)
	at := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	var proj store.Project
	if err := update(st, func(tx store.Tx) error {
		proj = store.Project{Name: "Inbox", Followers: []uint64{}, CreatedAt: at}
		return tx.CreateProject(&proj)
	}); err != nil {
		t.Fatal(err)
	}
	// create makes an item, a conversation, a message and a mail log
	// entry as inbound mail does, after the hint.
	type made struct{ item, conv, conv2, msg, log uint64 }
	create := func(tx store.Tx, subject string) (made, error) {
		var m made
		if err := store.ReserveIDs(tx, store.NewIDs{Items: 1, Conversations: 1, Messages: 2, MailLog: 1}); err != nil {
			return m, err
		}
		it := &store.Item{ProjectID: proj.ID, Title: subject, Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: at}
		if err := tx.CreateItem(it); err != nil {
			return m, err
		}
		c := &store.Conversation{ItemID: it.ID, ProjectID: proj.ID, Kind: store.KindExternal, Subject: subject,
			Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: at}
		if err := tx.CreateConversation(c); err != nil {
			return m, err
		}
		msg := &store.Message{ConversationID: c.ID, Kind: c.Kind, Body: "body of " + subject, Attachments: []store.Attachment{}, CreatedAt: at}
		if err := tx.CreateMessage(msg, nil); err != nil {
			return m, err
		}
		c.LastMessageAt = at.Add(time.Minute) // a change to a row not written yet
		if err := tx.PutConversation(c); err != nil {
			return m, err
		}
		// One more conversation than reserved: an id of its own.
		c2 := &store.Conversation{ItemID: it.ID, ProjectID: proj.ID, Kind: store.KindInternal, Subject: "second",
			Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: at}
		if err := tx.CreateConversation(c2); err != nil {
			return m, err
		}
		e := &store.MailLogEntry{Direction: store.DirInbound, At: at, Subject: subject, ConversationID: c.ID, MessageIDInt: msg.ID}
		if err := tx.AddMailLog(e, []byte("raw "+subject)); err != nil {
			return m, err
		}
		m = made{it.ID, c.ID, c2.ID, msg.ID, e.ID}
		// Read back in the transaction.
		if got, err := tx.Conversation(c.ID); err != nil || !got.LastMessageAt.Equal(c.LastMessageAt) || got.ItemID != it.ID {
			return m, errors.Join(errors.New("conversation not read back as changed in its transaction"), err)
		}
		if ms, err := tx.Messages(c.ID); err != nil || len(ms) != 1 || ms[0].ID != msg.ID || ms[0].Body != msg.Body {
			return m, errors.Join(errors.New("message not read back in its transaction"), err)
		}
		return m, nil
	}
	check := func(m made, subject string) {
		t.Helper()
		ids := map[string]uint64{"item": m.item, "conversation": m.conv, "second conversation": m.conv2, "message": m.msg, "mail log entry": m.log}
		for what, id := range ids {
			if id == 0 {
				t.Errorf("%s: no id", what)
			}
		}
		if m.conv == m.conv2 {
			t.Errorf("both conversations have id %d", m.conv)
		}
		if err := view(st, func(tx store.Tx) error {
			it, err := tx.Item(m.item)
			if err != nil || it.Title != subject || it.ID != m.item {
				t.Errorf("item %d: %+v, %v", m.item, it, err)
			}
			c, err := tx.Conversation(m.conv)
			if err != nil || c.ID != m.conv || c.ItemID != m.item || !c.LastMessageAt.Equal(at.Add(time.Minute)) {
				t.Errorf("conversation %d: %+v, %v (want the change made after creating it)", m.conv, c, err)
			}
			if c2, err := tx.Conversation(m.conv2); err != nil || c2.Subject != "second" {
				t.Errorf("second conversation %d: %+v, %v", m.conv2, c2, err)
			}
			// The indexes of conversations written ahead: by item, and by
			// the activity of the change made before it was written.
			if cs, err := tx.ItemConversations(m.item); err != nil || len(cs) != 2 || cs[0].ID != m.conv {
				t.Errorf("item %d's conversations: %+v, %v", m.item, cs, err)
			}
			var order []uint64
			for _, c := range must(tx.ConversationsByActivity(nil, 100)) {
				if c.ID == m.conv || c.ID == m.conv2 {
					order = append(order, c.ID)
				}
			}
			if len(order) != 2 || order[0] != m.conv {
				t.Errorf("conversations %d and %d by activity: %v; want %d first (its message a minute after the other's creation)", m.conv, m.conv2, order, m.conv)
			}
			msg, err := tx.Message(m.msg)
			if err != nil || msg.ID != m.msg || msg.ConversationID != m.conv || msg.Body != "body of "+subject {
				t.Errorf("message %d: %+v, %v", m.msg, msg, err)
			}
			if ms, err := tx.Messages(m.conv); err != nil || len(ms) != 1 {
				t.Errorf("conversation %d lists %d messages, %v", m.conv, len(ms), err)
			}
			e, err := tx.MailLog(m.log)
			if err != nil || e.ID != m.log || e.MessageIDInt != m.msg || e.Subject != subject {
				t.Errorf("mail log entry %d: %+v, %v", m.log, e, err)
			}
			if raw, err := tx.MailLogRaw(m.log); err != nil || !bytes.Equal(raw, []byte("raw "+subject)) {
				t.Errorf("mail log entry %d raw %q, %v", m.log, raw, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var m1 made
	if err := update(st, func(tx store.Tx) (err error) { m1, err = create(tx, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	check(m1, "first")

	// A refusal after the hint and the creates leaves nothing.
	refused := errors.New("refused")
	var gone made
	if err := update(st, func(tx store.Tx) error {
		var err error
		if gone, err = create(tx, "gone"); err != nil {
			return err
		}
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update: %v", err)
	}
	if err := view(st, func(tx store.Tx) error {
		if _, err := tx.Item(gone.item); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused transaction's item %d: %v, want not found", gone.item, err)
		}
		if _, err := tx.Message(gone.msg); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused transaction's message %d: %v, want not found", gone.msg, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// In one group: the refused function's rows go, the others' stay.
	gu, ok := st.(store.GroupUpdater)
	if !ok {
		return
	}
	var m2, m3 made
	errs := gu.UpdateGroup(context.Background(),
		func(tx store.Tx) (err error) { m2, err = create(tx, "second"); return err },
		func(tx store.Tx) error {
			if _, err := create(tx, "refused in a group"); err != nil {
				return err
			}
			return refused
		},
		func(tx store.Tx) (err error) { m3, err = create(tx, "third"); return err },
	)
	if errs[0] != nil || !errors.Is(errs[1], refused) || errs[2] != nil {
		t.Fatalf("group answers %v", errs)
	}
	check(m2, "second")
	check(m3, "third")
	if err := view(st, func(tx store.Tx) error {
		n := 0
		for _, c := range must(tx.Conversations()) {
			if c.Subject == "refused in a group" || c.Subject == "gone" {
				n++
			}
		}
		if n != 0 {
			t.Errorf("%d conversations of refused functions stored", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
