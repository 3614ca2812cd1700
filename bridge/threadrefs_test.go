package bridge

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// oldThreadRefs is threadRefs as it was: every message read, oldest first.
func oldThreadRefs(s *Service, tx store.Tx, conv *store.Conversation) []string {
	refs := []string{s.Addresses.rootMessageID(conv.ID)}
	msgs, _ := tx.Messages(conv.ID)
	for _, m := range msgs {
		if m.EmailMessageID != "" && !slices.Contains(refs, m.EmailMessageID) {
			refs = append(refs, m.EmailMessageID)
		}
	}
	if len(refs) > maxRefs {
		refs = append(refs[:1], refs[len(refs)-(maxRefs-1):]...)
	}
	return refs
}

// Reading only the newest messages gives the References reading all of
// them gave, for conversations of up to maxRefsScan messages; longer ones
// keep the root and the newest ids.
func TestThreadRefsReadsOnlyTheNewestMessages(t *testing.T) {
	st := storetest.Open(t, t.TempDir())
	defer st.Close()
	s := New(st, Config{Hostname: "support.test", TokenKey: []byte("0123456789abcdef0123456789abcdef")}, nil, nil)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	// Conversations 1..4: 5 messages with 2 email ids; 60 with 30; 200 with
	// 100; 500 with email ids only in the first 300.
	specs := []struct{ messages, every, upTo int }{{5, 2, 5}, {60, 2, 60}, {200, 2, 200}, {500, 1, 300}}
	var convs []*store.Conversation
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for ci, sp := range specs {
			c := &store.Conversation{Kind: store.KindExternal, Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: now}
			if err := tx.CreateConversation(c); err != nil {
				return err
			}
			convs = append(convs, c)
			for i := range sp.messages {
				m := &store.Message{ConversationID: c.ID, Body: "x", Attachments: []store.Attachment{}, CreatedAt: now}
				if i%sp.every == 0 && i < sp.upTo {
					m.EmailMessageID = fmt.Sprintf("m%d.%d@example.com", ci, i)
				}
				if err := tx.CreateMessage(m, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(context.Background(), func(tx store.Tx) error {
		for i, c := range convs[:3] {
			got, want := s.Addresses.threadRefs(tx, c), oldThreadRefs(s, tx, c)
			if !slices.Equal(got, want) {
				t.Errorf("conversation %d:\n got %v\nwant %v", i+1, got, want)
			}
		}
		// 500 messages, the newest 200 without an email id: only the root.
		if got := s.Addresses.threadRefs(tx, convs[3]); len(got) != 1 || got[0] != s.Addresses.rootMessageID(convs[3].ID) {
			t.Errorf("long conversation: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
