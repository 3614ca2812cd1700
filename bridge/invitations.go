package bridge

import (
	"context"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// Invitations to follow a project (SPEC §10). A user whose
// accept_all_invitations is on is in at once; otherwise the invitation
// waits, the invitation email goes out, and the user accepts or declines.
// A team is in at once when every member accepts all invitations;
// otherwise it waits, the members who do not get the email, and any
// member settles it for the team.

// Invite invites user or team (exactly one non-zero) to follow project.
// An admin may, or an agent who follows the project (directly or through
// a team): members invite, strangers do not. Inviting again while an
// invitation waits returns that one and sends nothing.
func (s *Accounts) Invite(ctx context.Context, c Caller, project, user, team uint64) (*store.Invitation, error) {
	if !c.IsStaff() {
		return nil, errorf(KindNotFound, "project %d not found", project)
	}
	if (user == 0) == (team == 0) {
		return nil, errorf(KindInvalid, "user_id or team_id: exactly one is required")
	}
	var inv *store.Invitation
	err := s.dir.updateAndKick(ctx, "invitation", func(tx store.Tx) (bool, error) {
		p, err := viewProject(tx, c, project)
		if err != nil {
			return false, err
		}
		if err := requireMember(tx, c, p); err != nil {
			return false, err
		}
		inv = &store.Invitation{ProjectID: p.ID, UserID: user, TeamID: team, InvitedBy: c.ID, CreatedAt: s.clock.Now()}
		var j joiner
		var invitees []uint64 // who must agree
		if user != 0 {
			if j.user, err = tx.User(user); err != nil {
				return false, errorf(KindInvalid, "user_id: no user %d", user)
			}
			invitees = []uint64{user}
		} else {
			if j.team, err = tx.Team(team); err != nil {
				return false, errorf(KindInvalid, "team_id: no team %d", team)
			}
			invitees = j.team.UserIDs
		}
		if prev, err := pendingInvitation(tx, project, user, team); err != nil || prev != nil {
			inv = prev
			return false, err
		}
		var asking []*store.User // invitees who decide for themselves
		for _, id := range invitees {
			set, err := tx.Settings(id)
			if err != nil {
				return false, err
			}
			if set.AcceptAllInvitations || id == c.ID { // inviting oneself is accepting
				continue
			}
			u, err := tx.User(id)
			if err != nil {
				continue
			}
			asking = append(asking, u)
		}
		if len(asking) == 0 {
			inv.Status, inv.SettledAt, inv.SettledBy = store.InvitationAccepted, inv.CreatedAt, c.ID
			if err := tx.CreateInvitation(inv); err != nil {
				return false, err
			}
			return s.dir.joinProjectTx(tx, c, p, j)
		}
		inv.Status = store.InvitationPending
		if err := tx.CreateInvitation(inv); err != nil {
			return false, err
		}
		by, err := actorOf(tx, c)
		if err != nil {
			return false, err
		}
		queued := false
		for _, u := range asking {
			data := map[string]any{"Project": p.Name, "InvitedBy": by, "Link": s.dir.consoleLink()}
			if j.team != nil {
				data["Project"] = p.Name + " (with your team " + j.team.Name + ")"
			}
			sent, err := s.sendAccountEmail(tx, TemplateInvitation, u, data)
			if err != nil {
				return false, err
			}
			queued = queued || sent
		}
		return queued, nil
	})
	return inv, err
}

// pendingInvitation returns the waiting invitation of user or team to
// project, or nil.
func pendingInvitation(tx store.TeamsTx, project, user, team uint64) (*store.Invitation, error) {
	var teams []uint64
	if team != 0 {
		teams = []uint64{team}
	}
	invs, err := tx.InvitationsOf(user, teams)
	if err != nil {
		return nil, err
	}
	for i := range invs {
		in := &invs[i]
		if in.ProjectID == project && in.Status == store.InvitationPending && in.UserID == user && in.TeamID == team {
			return in, nil
		}
	}
	return nil, nil
}

// MyInvitations lists the invitations of the caller and of its teams,
// oldest first.
func (s *Accounts) MyInvitations(ctx context.Context, c Caller) ([]store.Invitation, error) {
	if !c.IsStaff() {
		return nil, errorf(KindNotFound, "not found")
	}
	var out []store.Invitation
	err := s.st.View(ctx, func(tx store.Tx) error {
		teams, err := teamsOf(tx, c.ID)
		if err != nil {
			return err
		}
		out, err = tx.InvitationsOf(c.ID, teams)
		return err
	})
	if out == nil {
		out = []store.Invitation{}
	}
	return out, storeErr(err, "invitations")
}

// SettleInvitation accepts or declines invitation id for the caller: the
// invited user, or a member of the invited team. Anyone else gets 404; an
// invitation already settled is 409.
func (s *Accounts) SettleInvitation(ctx context.Context, c Caller, id uint64, accept bool) (*store.Invitation, error) {
	if !c.IsStaff() {
		return nil, notFound("invitation", id)
	}
	var inv *store.Invitation
	err := s.dir.updateAndKick(ctx, "invitation", func(tx store.Tx) (bool, error) {
		var err error
		if inv, err = tx.Invitation(id); err != nil {
			return false, notFound("invitation", id)
		}
		var j joiner
		if inv.UserID != 0 {
			if inv.UserID != c.ID {
				return false, notFound("invitation", id)
			}
			if j.user, err = tx.User(inv.UserID); err != nil {
				return false, err
			}
		} else {
			if j.team, err = tx.Team(inv.TeamID); err != nil || !slices.Contains(j.team.UserIDs, c.ID) {
				return false, notFound("invitation", id)
			}
		}
		if inv.Status != store.InvitationPending {
			return false, errorf(KindConflict, "invitation %d is already %s", id, inv.Status)
		}
		inv.SettledAt, inv.SettledBy = s.clock.Now(), c.ID
		inv.Status = store.InvitationDeclined
		if accept {
			inv.Status = store.InvitationAccepted
		}
		if err := tx.PutInvitation(inv); err != nil {
			return false, err
		}
		if !accept {
			return false, nil
		}
		p, err := tx.Project(inv.ProjectID)
		if err != nil {
			return false, err
		}
		return s.dir.joinProjectTx(tx, c, p, j)
	})
	return inv, err
}

// requireMember lets an admin through, or a user who follows project p
// (directly or through a team).
func requireMember(tx store.TeamsTx, c Caller, p *store.Project) error {
	if c.IsAdmin() {
		return nil
	}
	all, err := withTeamFollowers(tx, p)
	if err != nil {
		return err
	}
	if !slices.Contains(all.Followers, c.ID) {
		return errorf(KindForbidden, "only an admin or a follower of the project may do this")
	}
	return nil
}
