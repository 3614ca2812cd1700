package bridge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// bruteRecipients is SPEC §4 applied to every user, the way recipients
// worked before it read only candidates.
func bruteRecipients(tx store.Tx, conv *store.Conversation, m *store.Message) ([]uint64, error) {
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	p, _ := tx.Project(conv.ProjectID)
	it, _ := tx.Item(conv.ItemID)
	var out []uint64
	for _, u := range users {
		if m.Author.Type == store.AuthorUser && m.Author.ID == u.ID {
			continue
		}
		set, err := tx.Settings(u.ID)
		if err != nil {
			return nil, err
		}
		if userReceives(set, visibleBySettings(set, u.ID, p), follows(u.ID, conv, it, p), conv.Kind, m.Author.Type) {
			out = append(out, u.ID)
		}
	}
	return out, nil
}

// Reading only followers and users with "all" settings picks exactly the
// users that reading every user picks, for random settings and following.
func TestRecipientsMatchEveryUserRule(t *testing.T) {
	st := storetest.Open(t, t.TempDir())
	defer st.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	some := func(ids []uint64) []uint64 {
		var out []uint64
		for _, id := range ids {
			if rng.IntN(5) == 0 {
				out = append(out, id)
			}
		}
		return out
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var convs []*store.Conversation
	err := st.Update(context.Background(), func(tx store.Tx) error {
		var ids []uint64
		for i := range 200 {
			u := &store.User{Email: fmt.Sprintf("u%d@support.test", i), Role: store.RoleAgent, CreatedAt: now}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			ids = append(ids, u.ID)
			if rng.IntN(3) > 0 { // a third keep the defaults (no record)
				s := store.Settings{ConversationVisibility: pick("all", "followed"), ShowFromCustomers: rng.IntN(2) == 0,
					FromCustomers: pick("all", "mine", "none"), FromUsersAndBot: pick("all", "followed", "none"), FollowedInternal: rng.IntN(2) == 0}
				if err := tx.PutSettings(u.ID, s); err != nil {
					return err
				}
			}
		}
		ids = append(ids, 9999) // a follower that is not a user
		for i := range 6 {
			p := &store.Project{Name: "p", Followers: some(ids), CreatedAt: now}
			if err := tx.CreateProject(p); err != nil {
				return err
			}
			it := &store.Item{ProjectID: p.ID, Followers: some(ids), Assignees: some(ids), CreatedAt: now}
			if err := tx.CreateItem(it); err != nil {
				return err
			}
			kind := []string{store.KindInternal, store.KindExternal}[i%2]
			c := &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: kind, Followers: some(ids), CustomerIDs: []uint64{}, CreatedAt: now}
			if err := tx.CreateConversation(c); err != nil {
				return err
			}
			convs = append(convs, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	err = st.View(context.Background(), func(tx store.Tx) error {
		for _, c := range convs {
			for _, a := range []store.Author{{Type: store.AuthorUser, ID: 3}, {Type: store.AuthorCustomer, ID: 1}, {Type: store.AuthorBot}} {
				m := &store.Message{Author: a}
				want, err := bruteRecipients(tx, c, m)
				if err != nil {
					return err
				}
				rs, err := recipients(tx, c, m, nil)
				if err != nil {
					return err
				}
				var got []uint64
				for _, r := range rs {
					got = append(got, r.ID)
				}
				if !slices.Equal(got, want) {
					t.Errorf("conversation %d (%s) by %s: got %v\nwant %v", c.ID, c.Kind, a.Type, got, want)
				}
				total += len(want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total < 100 {
		t.Fatalf("only %d recipients in all: the comparison proves little", total)
	}
}
