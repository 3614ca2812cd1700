package bridge

import (
	"maps"
	"slices"
	"strings"

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
// receive external ones whoever wrote them: a user, the bot or another
// customer of the conversation (SPEC §4: customers' replies go to users
// and customers, so colleagues on one request hear each other).
func customerReceives(convKind, authorType string) bool {
	return convKind == store.KindExternal
}

// mailOrigin is what the email that brought a message in says about its
// other customers (nil for a message posted through the API).
type mailOrigin struct {
	// had holds the To and Cc addresses of the email, lower-cased: a
	// customer among them already received the message itself, whoever
	// wrote it (a staff user's emailed reply with the customer in Cc too).
	had map[string]bool
	// noRelay says why a customer's message goes to no other customer
	// ("" when it may): its sender is not proven (unverified, no aligned SPF or DKIM
	// pass) or it was threaded by the subject tag alone, which anyone can
	// type. We would otherwise sign and send a forger's words to a
	// conversation's customers.
	noRelay string
}

// recipients returns who is notified of message m in conversation conv.
// The author never is; nor, for a message that came by email (origin),
// a customer the email already reached. Users are named by type and id
// only (their address is read when an email is built or a delivery
// shown), so a message to 1,000 followers reads 1,000 small settings
// records, not 1,000 users.
func recipients(tx accessTx, conv *store.Conversation, m *store.Message, origin *mailOrigin) ([]store.Recipient, error) {
	var out []store.Recipient
	p, err := tx.Project(conv.ProjectID)
	if err != nil {
		return nil, err
	}
	if p, err = withTeamFollowers(tx, p); err != nil { // members of a following team follow (SPEC §10)
		return nil, err
	}
	it, err := tx.Item(conv.ItemID)
	if err != nil {
		return nil, err
	}
	cands, following, err := candidates(tx, conv, it, p)
	if err != nil {
		return nil, err
	}
	projectFollowers := map[uint64]bool{}
	for _, id := range p.Followers {
		projectFollowers[id] = true
	}
	for _, u := range cands {
		if m.Author.Type == store.AuthorUser && m.Author.ID == u {
			continue
		}
		if exists, err := tx.UserExists(u); err != nil {
			return nil, err
		} else if !exists {
			continue
		}
		set, err := tx.Settings(u)
		if err != nil {
			return nil, err
		}
		visible := set.ConversationVisibility != "followed" || projectFollowers[u] // visibleBySettings, by set
		if userReceives(set, visible, following[u], conv.Kind, m.Author.Type) {
			out = append(out, store.Recipient{Type: store.KindUser, ID: u})
		}
	}
	if !customerReceives(conv.Kind, m.Author.Type) {
		return out, nil
	}
	if m.Author.Type == store.AuthorCustomer && origin != nil && origin.noRelay != "" {
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
		if origin != nil && origin.had[strings.ToLower(c.Email)] {
			continue
		}
		out = append(out, store.Recipient{Type: store.KindCustomer, ID: c.ID, Email: c.Email, Name: c.Name})
	}
	return out, nil
}

// candidates are the users who may receive a message of conv, in id order,
// and which of them follow it: those who follow it (directly, through its
// item or project, or as assignees) and those whose settings say "all".
// userReceives is false for anyone else: every clause of SPEC §4 needs
// following unless a setting is "all", and the defaults are not.
func candidates(tx store.PeopleTx, conv *store.Conversation, it *store.Item, p *store.Project) ([]uint64, map[uint64]bool, error) {
	open, err := tx.UsersWithOpenSettings()
	if err != nil {
		return nil, nil, err
	}
	following := map[uint64]bool{}
	for _, ids := range [][]uint64{conv.Followers, it.Followers, it.Assignees, p.Followers} {
		for _, id := range ids {
			following[id] = true
		}
	}
	ids := slices.Concat(slices.Collect(maps.Keys(following)), open)
	slices.Sort(ids)
	return slices.Compact(ids), following, nil
}
