package pgstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// TestTwoNodesWriteOneConversation: two nodes post into one conversation
// and add followers to it at once, at READ COMMITTED with row locks
// (issue 22): every post is stored once with its deliveries, no follower
// added is lost, and the conversation's activity time is the newest
// message's.
func TestTwoNodesWriteOneConversation(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	const agents, posts = 12, 10 // posts per agent
	var users []uint64
	var conv uint64
	if err := a.Update(ctx, func(tx store.Tx) error {
		p := &store.Project{Name: "Support", Followers: []uint64{}}
		for i := range agents {
			u := &store.User{Email: fmt.Sprintf("agent%d@support.test", i), Role: store.RoleAdmin}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			users = append(users, u.ID)
		}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Title: "t", Followers: []uint64{}, Assignees: []uint64{}}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		c := &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: store.KindInternal, Subject: "s",
			Followers: []uint64{}, CustomerIDs: []uint64{}}
		err := tx.CreateConversation(c)
		conv = c.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc := func(st store.Store) *bridge.Service {
		return bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
			UnseenDelay: time.Hour, TokenKey: []byte("two nodes key, 32 bytes long...."),
		}, nil, slog.New(slog.DiscardHandler))
	}
	nodes := []*bridge.Service{svc(a), svc(b)}
	var wg sync.WaitGroup
	errs := make(chan error, agents*(posts+1))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[i%2]
			c := bridge.Caller{Kind: store.KindUser, ID: u, Role: store.RoleAdmin}
			if err := node.Conversations.AddConversationFollower(ctx, c, conv, u); err != nil {
				errs <- fmt.Errorf("agent %d follows: %w", u, err)
			}
			for n := range posts {
				if _, err := node.Conversations.PostMessage(ctx, c, conv, bridge.NewMessage{Body: fmt.Sprintf("agent %d post %d", u, n)}); err != nil {
					errs <- fmt.Errorf("agent %d post %d: %w", u, n, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	err := a.View(ctx, func(tx store.Tx) error {
		c, err := tx.Conversation(conv)
		if err != nil {
			return err
		}
		got := slices.Clone(c.Followers)
		slices.Sort(got)
		if !slices.Equal(got, users) {
			t.Errorf("followers %v, want %v: a follow was lost", got, users)
		}
		ms, err := tx.Messages(conv)
		if err != nil {
			return err
		}
		if len(ms) != agents*posts {
			t.Errorf("%d messages stored, want %d", len(ms), agents*posts)
		}
		bodies := map[string]bool{}
		for _, m := range ms {
			if bodies[m.Body] {
				t.Errorf("message %q stored twice", m.Body)
			}
			bodies[m.Body] = true
		}
		if len(ms) > 0 && !c.LastMessageAt.Equal(ms[len(ms)-1].CreatedAt) && c.LastMessageAt.Before(ms[len(ms)-1].CreatedAt) {
			t.Errorf("last message at %v, but the newest message is of %v", c.LastMessageAt, ms[len(ms)-1].CreatedAt)
		}
		// The last post of each agent reached every follower but its author.
		for _, m := range ms[len(ms)-agents:] {
			ds, err := tx.Deliveries(m.ID)
			if err != nil {
				return err
			}
			if len(ds) != agents-1 {
				t.Errorf("message %d (%q) has %d deliveries, want %d", m.ID, m.Body, len(ds), agents-1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("retries: node A %d, node B %d", a.Retries(), b.Retries())
}
