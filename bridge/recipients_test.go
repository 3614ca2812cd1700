package bridge

import (
	"fmt"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// Every combination of settings, visibility, following, kind and author
// type, each checked against SPEC §4 stated clause by clause.
func TestUserReceivesEveryCombination(t *testing.T) {
	bools := []bool{false, true}
	n := 0
	for _, vis := range bools {
		for _, follows := range bools {
			for _, show := range bools {
				for _, fi := range bools {
					for _, fc := range []string{"all", "mine", "none"} {
						for _, fub := range []string{"all", "followed", "none"} {
							for _, kind := range []string{store.KindInternal, store.KindExternal} {
								for _, author := range []string{store.AuthorUser, store.AuthorCustomer, store.AuthorBot} {
									set := store.DefaultSettings()
									set.ShowFromCustomers, set.FollowedInternal = show, fi
									set.FromCustomers, set.FromUsersAndBot = fc, fub
									got := userReceives(set, vis, follows, kind, author)
									want := specSays(vis, follows, show, fi, fc, fub, kind, author)
									if got != want {
										t.Errorf("visible=%v follows=%v show_from_customers=%v followed_internal=%v from_customers=%s from_users_and_bot=%s kind=%s author=%s: got %v want %v",
											vis, follows, show, fi, fc, fub, kind, author, got, want)
									}
									n++
								}
							}
						}
					}
				}
			}
		}
	}
	if n != 2*2*2*2*3*3*2*3 {
		t.Fatalf("covered %d combinations", n)
	}
}

// specSays is SPEC §4 written as a list of exclusions.
func specSays(visible, follows, show, followedInternal bool, fromCustomers, fromUsersAndBot, kind, author string) bool {
	if !visible {
		return false // "only when U may view C"
	}
	if kind == store.KindInternal {
		return followedInternal && follows // "C internal: followed_internal and U follows C"
	}
	if !show {
		return false // both external clauses start with show_from_customers
	}
	if author == store.AuthorCustomer {
		return fromCustomers == "all" || (fromCustomers == "mine" && follows)
	}
	return fromUsersAndBot == "all" || (fromUsersAndBot == "followed" && follows)
}

// A few rows spelled out, so the rule reads as the product does.
func TestUserReceivesExamples(t *testing.T) {
	def := store.DefaultSettings()
	cases := []struct {
		name             string
		set              store.Settings
		visible, follows bool
		kind, author     string
		want             bool
	}{
		{"defaults: customer mail in a followed conversation", def, true, true, store.KindExternal, store.AuthorCustomer, true},
		{"defaults: customer mail elsewhere", def, true, false, store.KindExternal, store.AuthorCustomer, false},
		{"defaults: colleague's external reply, not followed", def, true, false, store.KindExternal, store.AuthorUser, false},
		{"defaults: bot in a followed conversation", def, true, true, store.KindExternal, store.AuthorBot, true},
		{"defaults: internal note, followed", def, true, true, store.KindInternal, store.AuthorUser, true},
		{"defaults: internal note, not followed", def, true, false, store.KindInternal, store.AuthorUser, false},
		{"visibility followed hides other projects", def, false, true, store.KindExternal, store.AuthorCustomer, false},
	}
	for _, c := range cases {
		if got := userReceives(c.set, c.visible, c.follows, c.kind, c.author); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestCustomerReceives(t *testing.T) {
	for _, c := range []struct {
		kind, author string
		want         bool
	}{
		{store.KindExternal, store.AuthorUser, true},
		{store.KindExternal, store.AuthorBot, true},
		{store.KindExternal, store.AuthorCustomer, true}, // the conversation's other customers
		{store.KindInternal, store.AuthorUser, false},
		{store.KindInternal, store.AuthorBot, false},
	} {
		if got := customerReceives(c.kind, c.author); got != c.want {
			t.Errorf("%s by %s: got %v", c.kind, c.author, got)
		}
	}
}

func TestReplyTokenRoundTripAndForgery(t *testing.T) {
	s := &Addresses{core: &core{cfg: Config{TokenKey: []byte("0123456789abcdef0123456789abcdef"), Domains: []string{"support.test"}}}}
	other := &Addresses{core: &core{cfg: Config{TokenKey: []byte("another key, another install....")}}}
	for _, r := range []store.Recipient{{Type: store.KindUser, ID: 1}, {Type: store.KindCustomer, ID: 1 << 40}} {
		tok := s.NewReplyToken(42, r)
		got, err := s.ParseReplyToken(tok)
		if err != nil || got.Conversation != 42 || got.Recipient.Type != r.Type || got.Recipient.ID != r.ID {
			t.Fatalf("round trip %v: %+v %v", r, got, err)
		}
		if _, err := other.ParseReplyToken(tok); err == nil {
			t.Fatal("a token verified under another key")
		}
		// Case-insensitive, as local parts may be upper-cased in transit.
		if _, err := s.ParseReplyToken(upper(tok)); err != nil {
			t.Fatalf("upper-cased token: %v", err)
		}
		// Flip each character: never accepted as a different conversation.
		for i := range tok {
			mut := []byte(tok)
			mut[i] = flip(mut[i])
			if got, err := s.ParseReplyToken(string(mut)); err == nil {
				t.Fatalf("mutated token %s accepted as %+v", mut, got)
			}
		}
	}
	if addr := s.ReplyAddress(7, store.Recipient{Type: store.KindUser, ID: 3}); len(addr) > 64+13 || addr[:6] != "reply+" {
		t.Fatalf("reply address %q", addr)
	}
	for _, bad := range []string{"", "x", "zzzz", fmt.Sprint(12345)} {
		if _, err := s.ParseReplyToken(bad); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func flip(c byte) byte {
	if c == 'a' {
		return 'b'
	}
	return 'a'
}
