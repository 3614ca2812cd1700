package bridge

import (
	"slices"

	"github.com/deskgate/deskgate/store"
)

// Who may see what. Anything a caller may not see answers not-found, so a
// customer or an agent never learns that it exists.

// follows reports whether user u follows conversation c: it follows the
// conversation, its item or its project, or is assigned to its item (SPEC §1).
func follows(u uint64, c *store.Conversation, it *store.Item, p *store.Project) bool {
	return slices.Contains(c.Followers, u) ||
		slices.Contains(it.Followers, u) || slices.Contains(it.Assignees, u) ||
		slices.Contains(p.Followers, u)
}

// userMayViewProject applies a user's conversation_visibility: "all" sees
// every project, "followed" only the projects it follows. Admins see all.
func userMayViewProject(tx visibilityTx, c Caller, p *store.Project) (bool, error) {
	if c.IsAdmin() {
		return true, nil
	}
	set, err := tx.Settings(c.ID)
	if err != nil {
		return false, err
	}
	if set.ConversationVisibility != "followed" {
		return true, nil
	}
	withTeams, err := withTeamFollowers(tx, p)
	if err != nil {
		return false, err
	}
	return visibleBySettings(set, c.ID, withTeams), nil
}

// visibleBySettings is the conversation_visibility rule for user u.
func visibleBySettings(set store.Settings, u uint64, p *store.Project) bool {
	return set.ConversationVisibility != "followed" || slices.Contains(p.Followers, u)
}

// mayViewConversation decides whether c may see conversation conv.
func mayViewConversation(tx accessTx, c Caller, conv *store.Conversation) (bool, error) {
	switch {
	case c.IsCustomer():
		return conv.Kind == store.KindExternal && slices.Contains(conv.CustomerIDs, c.ID), nil
	case c.IsStaff():
		p, err := tx.Project(conv.ProjectID)
		if err != nil {
			return false, err
		}
		return userMayViewProject(tx, c, p)
	}
	return false, nil
}

// viewConversation loads conversation id if c may see it, else not-found.
func viewConversation(tx accessTx, c Caller, id uint64) (*store.Conversation, error) {
	conv, err := tx.Conversation(id)
	if err != nil {
		return nil, notFound("conversation", id)
	}
	ok, err := mayViewConversation(tx, c, conv)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("conversation", id)
	}
	return conv, nil
}

// viewProject loads project id if staff caller c may see it.
func viewProject(tx accessTx, c Caller, id uint64) (*store.Project, error) {
	if !c.IsStaff() {
		return nil, notFound("project", id)
	}
	p, err := tx.Project(id)
	if err != nil {
		return nil, notFound("project", id)
	}
	ok, err := userMayViewProject(tx, c, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("project", id)
	}
	return p, nil
}

// viewItem loads item id (and its project) if staff caller c may see it.
func viewItem(tx accessTx, c Caller, id uint64) (*store.Item, error) {
	if !c.IsStaff() {
		return nil, notFound("item", id)
	}
	it, err := tx.Item(id)
	if err != nil {
		return nil, notFound("item", id)
	}
	if _, err := viewProject(tx, c, it.ProjectID); err != nil {
		return nil, notFound("item", id)
	}
	return it, nil
}

// requireUsers checks every id names a user (a body field, so invalid, not not-found).
func requireUsers(tx store.PeopleTx, field string, ids ...uint64) error {
	for _, id := range ids {
		if _, err := tx.User(id); err != nil {
			return errorf(KindInvalid, "%s: no user %d", field, id)
		}
	}
	return nil
}
