package bridge

import (
	"context"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// Teams (SPEC §10): a named group of users. A team follows a project and
// its members then follow the project through it: they are notified of
// its conversations (SPEC §4) and see it under conversation_visibility
// "followed", exactly as direct followers, for as long as they are members.

// withTeamFollowers returns p with the members of its teams added to its
// followers: a copy for reading (never stored back), or p itself when no
// team follows it.
func withTeamFollowers(tx store.TeamsTx, p *store.Project) (*store.Project, error) {
	if len(p.Teams) == 0 {
		return p, nil
	}
	cp := *p
	cp.Followers = slices.Clone(p.Followers)
	for _, id := range p.Teams {
		tm, err := tx.Team(id)
		if err != nil {
			return nil, err
		}
		for _, u := range tm.UserIDs {
			cp.Followers, _ = store.AddUnique(cp.Followers, u)
		}
	}
	return &cp, nil
}

// maxTeamName bounds a team's name.
const maxTeamName = 200

// CreateTeam adds a team of users. Only an admin may.
func (s *Directory) CreateTeam(ctx context.Context, c Caller, name string, users []uint64) (*store.Team, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may create teams")
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxTeamName || strings.ContainsFunc(name, isControl) {
		return nil, errorf(KindInvalid, "name: required, at most %d bytes, one line", maxTeamName)
	}
	tm := &store.Team{Name: name, UserIDs: []uint64{}, CreatedAt: s.clock.Now()}
	for _, u := range users {
		tm.UserIDs, _ = store.AddUnique(tm.UserIDs, u)
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if err := requireUsers(tx, "user_ids", tm.UserIDs...); err != nil {
			return err
		}
		if err := tx.CreateTeam(tm); err != nil {
			return storeErr(err, "team "+name)
		}
		return nil
	})
	return tm, storeErr(err, "team")
}

// Teams lists every team. Staff may.
func (s *Directory) Teams(ctx context.Context, c Caller) ([]store.Team, error) {
	if !c.IsStaff() {
		return nil, forbiddenOrNotFound(c, "only staff may list teams")
	}
	var out []store.Team
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; out, err = tx.Teams(); return err })
	if out == nil {
		out = []store.Team{}
	}
	return out, storeErr(err, "teams")
}

// teamsOf returns the ids of the teams user u belongs to.
func teamsOf(tx store.TeamsTx, u uint64) ([]uint64, error) {
	teams, err := tx.Teams()
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, tm := range teams {
		if slices.Contains(tm.UserIDs, u) {
			ids = append(ids, tm.ID)
		}
	}
	return ids, nil
}

// AddProjectTeam makes team follow project id (POST /projects/{id}/followers
// {team_id}). An admin may, or a member of the team who already follows
// the project (so no agent signs colleagues up for a project it is not in
// itself). The project's followers get new_member.
func (s *Directory) AddProjectTeam(ctx context.Context, c Caller, id, team uint64) error {
	return s.updateAndKick(ctx, "project", func(tx store.Tx) (bool, error) {
		p, err := viewProject(tx, c, id)
		if err != nil {
			return false, err
		}
		tm, err := tx.Team(team)
		if err != nil {
			return false, errorf(KindInvalid, "team_id: no team %d", team)
		}
		if !c.IsAdmin() && !slices.Contains(tm.UserIDs, c.ID) {
			return false, errorf(KindForbidden, "only an admin or a member of the team may add it")
		}
		if err := requireMember(tx, c, p); err != nil {
			return false, err
		}
		return s.joinProjectTx(tx, c, p, joiner{team: tm})
	})
}

// updateAndKick runs fn in a write transaction; fn reports whether it
// queued an email, and the queue is woken after the commit if so.
func (s *Directory) updateAndKick(ctx context.Context, what string, fn func(tx store.Tx) (bool, error)) error {
	queued := false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		queued, err = fn(tx)
		return err
	})
	if err != nil {
		return storeErr(err, what)
	}
	s.notes.kick(queued)
	return nil
}

// isControl reports control characters (no line breaks in names).
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
