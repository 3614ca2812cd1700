package bridge

import (
	"slices"

	"github.com/deskgate/deskgate/store"
)

// Who joins a project, and the emails that tell of changes of membership
// and assignment (SPEC §10). None goes to whoever made the change.

// joiner is a user or a team joining a project (one of them is set).
type joiner struct {
	user *store.User
	team *store.Team
}

// consoleLink is the link of the console in account emails.
func (s *Directory) consoleLink() string { return s.addrs.publicURL() + "/" }

// actorOf names the acting user for the emails; a customer never acts here.
func actorOf(tx store.PeopleTx, c Caller) (string, error) {
	u, err := tx.User(c.ID)
	if err != nil {
		return "", err
	}
	return nameOf(u), nil
}

// joinProjectTx makes j follow project p (as c's doing) and sends
// new_member to the project's followers as they were before, whose
// email_new_members is on, except c and the joiners themselves. Joining
// twice changes nothing and sends nothing. It reports whether it queued
// an email.
func (s *Directory) joinProjectTx(tx memberEmailTx, c Caller, p *store.Project, j joiner) (bool, error) {
	before, err := withTeamFollowers(tx, p)
	if err != nil {
		return false, err
	}
	followers := slices.Clone(before.Followers)
	var added bool
	var newcomers []uint64
	switch {
	case j.user != nil:
		p.Followers, added = store.AddUnique(p.Followers, j.user.ID)
		newcomers = []uint64{j.user.ID}
	default:
		p.Teams, added = store.AddUnique(p.Teams, j.team.ID)
		newcomers = j.team.UserIDs
	}
	if !added {
		return false, nil
	}
	if err := tx.PutProject(p); err != nil {
		return false, err
	}
	by, err := actorOf(tx, c)
	if err != nil {
		return false, err
	}
	member := ""
	if j.user != nil {
		member = nameOf(j.user)
	} else {
		member = "the team " + j.team.Name
	}
	queued := false
	for _, f := range followers {
		if f == c.ID || slices.Contains(newcomers, f) {
			continue
		}
		data := map[string]any{"Project": p.Name, "Member": member, "AddedBy": by, "Link": s.consoleLink()}
		sent, err := s.emailIfSetting(tx, f, func(set store.Settings) bool { return set.EmailNewMembers }, TemplateNewMember, data)
		if err != nil {
			return false, err
		}
		queued = queued || sent
	}
	return queued, nil
}

// emailIfSetting sends template name to user id when wants(its settings)
// holds. A follower id whose user is gone is skipped.
func (s *Directory) emailIfSetting(tx accountEmailTx, id uint64, wants func(store.Settings) bool, name string, data map[string]any) (bool, error) {
	set, err := tx.Settings(id)
	if err != nil {
		return false, err
	}
	if !wants(set) {
		return false, nil
	}
	u, err := tx.User(id)
	if err != nil {
		return false, nil // a stale follower id: nobody to tell
	}
	return s.acct.sendAccountEmail(tx, name, u, data)
}

// assignmentEmailsTx sends assignment_changed to the users added to or
// removed from item it's assignees (old → it.Assignees), whose
// email_assignment_changes is on, except c.
func (s *Directory) assignmentEmailsTx(tx memberEmailTx, c Caller, it *store.Item, old []uint64) (bool, error) {
	var changed []uint64
	var assigned []bool
	for _, u := range it.Assignees {
		if !slices.Contains(old, u) {
			changed, assigned = append(changed, u), append(assigned, true)
		}
	}
	for _, u := range old {
		if !slices.Contains(it.Assignees, u) {
			changed, assigned = append(changed, u), append(assigned, false)
		}
	}
	if len(changed) == 0 {
		return false, nil
	}
	by, err := actorOf(tx, c)
	if err != nil {
		return false, err
	}
	p, err := tx.Project(it.ProjectID)
	if err != nil {
		return false, err
	}
	queued := false
	for i, u := range changed {
		if u == c.ID {
			continue
		}
		item := map[string]any{"ID": it.ID, "Title": it.Title, "Status": itemStatus(it), "Project": p.Name}
		data := map[string]any{"Item": item, "Assigned": assigned[i], "ChangedBy": by, "Link": s.consoleLink()}
		sent, err := s.emailIfSetting(tx, u, func(set store.Settings) bool { return set.EmailAssignmentChanges }, TemplateAssignmentChanged, data)
		if err != nil {
			return false, err
		}
		queued = queued || sent
	}
	return queued, nil
}
