package bridge

import (
	"github.com/deskgate/deskgate/store"
)

// userReceives is the rule of SPEC §4 for one user who is not the author:
// mayView is conversation_visibility applied to the conversation's
// project, follows whether the user follows the conversation (directly,
// through its item or project, or as an assignee).
func userReceives(set store.Settings, mayView, follows bool, convKind, authorType string) bool {
	if !mayView {
		return false
	}
	switch {
	case convKind == store.KindInternal:
		return set.FollowedInternal && follows
	case authorType == store.AuthorCustomer:
		return set.ShowFromCustomers &&
			(set.FromCustomers == "all" || (set.FromCustomers == "mine" && follows))
	default: // external, written by a user or the bot
		return set.ShowFromCustomers &&
			(set.FromUsersAndBot == "all" || (set.FromUsersAndBot == "followed" && follows))
	}
}

// customerReceives: customers never receive internal messages, and
// receive external ones written by users or the bot (not by customers).
func customerReceives(convKind, authorType string) bool {
	return convKind == store.KindExternal && authorType != store.AuthorCustomer
}

// recipients returns who is notified of message m in conversation conv.
// The author never is.
func recipients(tx *store.Tx, conv *store.Conversation, m *store.Message) ([]store.Recipient, error) {
	var out []store.Recipient
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	p, err := tx.Project(conv.ProjectID)
	if err != nil {
		return nil, err
	}
	it, err := tx.Item(conv.ItemID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if m.Author.Type == store.AuthorUser && m.Author.ID == u.ID {
			continue
		}
		set, err := tx.Settings(u.ID)
		if err != nil {
			return nil, err
		}
		f := follows(u.ID, conv, it, p)
		if userReceives(set, visibleBySettings(set, u.ID, p), f, conv.Kind, m.Author.Type) {
			out = append(out, store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name})
		}
	}
	if !customerReceives(conv.Kind, m.Author.Type) {
		return out, nil
	}
	for _, id := range conv.CustomerIDs {
		if m.Author.Type == store.AuthorCustomer && m.Author.ID == id {
			continue
		}
		c, err := tx.Customer(id)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Recipient{Type: store.KindCustomer, ID: c.ID, Email: c.Email, Name: c.Name})
	}
	return out, nil
}
