package bridge

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// The customers an email already reached (its To and Cc) are not sent
// the message it brought in again, whoever wrote it; a customer's mail
// that may not be relayed reaches no other customer, a staff user's
// reaches them all (SPEC §4).
func TestMailOriginSparesWhoHadIt(t *testing.T) {
	st := storetest.Open(t, t.TempDir())
	defer st.Close()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var conv *store.Conversation
	var ids []uint64
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, mail := range []string{"carol@example.com", "dave@example.com", "erin@example.com"} {
			c := &store.Customer{Email: mail, CreatedAt: now}
			if err := tx.CreateCustomer(c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		p := &store.Project{Name: "p", Followers: []uint64{}, CreatedAt: now}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: now}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		conv = &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: store.KindExternal, Followers: []uint64{}, CustomerIDs: ids, CreatedAt: now}
		return tx.CreateConversation(conv)
	})
	if err != nil {
		t.Fatal(err)
	}
	carol := store.Author{Type: store.AuthorCustomer, ID: ids[0], Email: "carol@example.com"}
	agent := store.Author{Type: store.AuthorUser, ID: 99, Email: "agent@support.test"}
	had := map[string]bool{"dave@example.com": true, "support@support.test": true}
	for _, c := range []struct {
		name   string
		author store.Author
		origin *mailOrigin
		want   []string
	}{
		{"customer by API", carol, nil, []string{"dave@example.com", "erin@example.com"}},
		{"customer by mail, Dave in Cc", carol, &mailOrigin{had: had}, []string{"erin@example.com"}},
		{"customer by mail, not relayed", carol, &mailOrigin{had: had, noRelay: "threaded by the subject tag only"}, nil},
		{"staff by mail, Dave in Cc", agent, &mailOrigin{had: had, noRelay: "ignored for staff"}, []string{"carol@example.com", "erin@example.com"}},
	} {
		var got []string
		err := st.View(context.Background(), func(tx store.Tx) error {
			rs, err := recipients(tx, conv, &store.Message{Author: c.author}, c.origin)
			for _, r := range rs {
				if r.Type == store.KindCustomer {
					got = append(got, r.Email)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: customers %v, want %v", c.name, got, c.want)
		}
	}
}
