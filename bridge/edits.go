package bridge

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Editing and removing what the API created (SPEC §14). Fields left nil
// in a patch keep their value.

// UserPatch is PATCH /users/{id}.
type UserPatch struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
	Role  *string `json:"role"`
}

// UpdateUser changes user id. An admin may change anything; a user may
// change its own name. The last admin cannot be made an agent.
func (s *Directory) UpdateUser(ctx context.Context, c Caller, id uint64, p UserPatch) (*store.User, error) {
	self := c.IsStaff() && c.ID == id
	switch {
	case !c.IsStaff():
		return nil, notFound("user", id)
	case !c.IsAdmin() && (!self || p.Email != nil || p.Role != nil):
		return nil, errorf(KindForbidden, "only an admin may change another user, an address or a role")
	}
	if p.Name != nil && (len(*p.Name) > 200 || strings.ContainsFunc(*p.Name, isControl)) {
		return nil, errorf(KindInvalid, "name: at most 200 bytes, one line")
	}
	if p.Email != nil {
		if !validEmail(*p.Email) {
			return nil, errorf(KindInvalid, "email: a valid address is required")
		}
		if s.addrs.reservedAddress(*p.Email) {
			return nil, errorf(KindInvalid, "email: %s is one of deskgate's own addresses", store.NormalizeEmail(*p.Email))
		}
	}
	if p.Role != nil && *p.Role != store.RoleAdmin && *p.Role != store.RoleAgent {
		return nil, errorf(KindInvalid, "role: must be admin or agent")
	}
	var u *store.User
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if u, err = tx.User(id); err != nil {
			return err
		}
		if !u.RetiredAt.IsZero() {
			return errorf(KindConflict, "user %d is retired", id)
		}
		if p.Name != nil {
			u.Name = strings.TrimSpace(*p.Name)
		}
		if p.Email != nil {
			if _, err := tx.CustomerByEmail(*p.Email); err == nil {
				return errorf(KindConflict, "email %s belongs to a customer", store.NormalizeEmail(*p.Email))
			}
			u.Email = *p.Email
		}
		if p.Role != nil && *p.Role != u.Role {
			if u.Role == store.RoleAdmin {
				if err := otherAdmin(tx, id); err != nil {
					return err
				}
			}
			u.Role = *p.Role
		}
		return tx.PutUser(u)
	})
	if err != nil {
		return nil, storeErr(err, "user")
	}
	return u, nil
}

// otherAdmin is a conflict unless an active admin other than id exists.
func otherAdmin(tx store.PeopleTx, id uint64) error {
	us, err := tx.Users()
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.ID != id && u.Role == store.RoleAdmin && u.RetiredAt.IsZero() {
			return nil
		}
	}
	return errorf(KindConflict, "user %d is the last admin", id)
}

// RetireUser retires user id (DELETE /users/{id}, admins): its sessions,
// API tokens and password links end in the same transaction, so every
// node refuses them from the next request on (an event stream ends at its
// next heartbeat's check, at once on this node); it is notified of
// nothing more, leaves its teams, and its messages and deliveries stay,
// shown by name. Retiring a retired user changes nothing.
func (s *Directory) RetireUser(ctx context.Context, c Caller, id uint64) error {
	if !c.IsAdmin() {
		return forbiddenOrNotFound(c, "only an admin may remove users")
	}
	var ended []string
	err := s.st.Update(ctx, func(tx store.Tx) error {
		ended = nil
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		if !u.RetiredAt.IsZero() {
			return nil
		}
		if u.Role == store.RoleAdmin {
			if err := otherAdmin(tx, id); err != nil {
				return err
			}
		}
		u.RetiredAt = s.clock.Now().UTC()
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if ended, err = tx.DeleteUserSessions(id, ""); err != nil {
			return err
		}
		toks, err := tx.Tokens(store.KindUser, id)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if err := tx.DeleteToken(store.KindUser, id, t.ID); err != nil {
				return err
			}
			ended = append(ended, t.ID)
		}
		if err := tx.DeleteUserPasswordLinks(id); err != nil {
			return err
		}
		return quietUser(tx, id)
	})
	if err != nil {
		return storeErr(err, "user")
	}
	s.acct.closeStreams(ended)
	s.log.Info("user retired", "user", id, "by", c.ID, "credentials_ended", len(ended))
	return nil
}

// quietUser makes retired user id receive nothing: settings that notify
// of nothing, no team, no pending unseen-email timer.
func quietUser(tx quietUserTx, id uint64) error {
	set, err := tx.Settings(id)
	if err != nil {
		return err
	}
	set.FromCustomers, set.FromUsersAndBot = "none", "none"
	set.EmailAssignmentChanges, set.EmailNewMembers = false, false
	if err := tx.PutSettings(id, set); err != nil {
		return err
	}
	teams, err := tx.Teams()
	if err != nil {
		return err
	}
	for i := range teams {
		tm := &teams[i]
		if j := slices.Index(tm.UserIDs, id); j >= 0 {
			tm.UserIDs = slices.Delete(tm.UserIDs, j, j+1)
			if err := tx.PutTeam(tm); err != nil {
				return err
			}
		}
	}
	r := store.Recipient{Type: store.KindUser, ID: id}
	unseen, err := tx.UnseenCounts(r)
	if err != nil {
		return err
	}
	for conv := range unseen {
		if err := tx.DeleteTimer(r, conv); err != nil {
			return err
		}
	}
	return nil
}

// TeamPatch is PATCH /teams/{id}.
type TeamPatch struct {
	Name    *string   `json:"name"`
	UserIDs *[]uint64 `json:"user_ids"`
}

// UpdateTeam renames team id or replaces its members (admins).
func (s *Directory) UpdateTeam(ctx context.Context, c Caller, id uint64, p TeamPatch) (*store.Team, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may change teams")
	}
	if p.Name != nil {
		n := strings.TrimSpace(*p.Name)
		if n == "" || len(n) > maxTeamName || strings.ContainsFunc(n, isControl) {
			return nil, errorf(KindInvalid, "name: required, at most %d bytes, one line", maxTeamName)
		}
	}
	var tm *store.Team
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if tm, err = tx.Team(id); err != nil {
			return err
		}
		if p.Name != nil {
			tm.Name = strings.TrimSpace(*p.Name)
		}
		if p.UserIDs != nil {
			tm.UserIDs = []uint64{}
			for _, u := range *p.UserIDs {
				tm.UserIDs, _ = store.AddUnique(tm.UserIDs, u)
			}
			if err := requireUsers(tx, "user_ids", tm.UserIDs...); err != nil {
				return err
			}
		}
		return tx.PutTeam(tm)
	})
	if err != nil {
		return nil, storeErr(err, "team")
	}
	return tm, nil
}

// DeleteTeam removes team id (admins): the projects it followed drop it
// (its members keep what they follow themselves) and its pending
// invitations are declined.
func (s *Directory) DeleteTeam(ctx context.Context, c Caller, id uint64) error {
	if !c.IsAdmin() {
		return forbiddenOrNotFound(c, "only an admin may remove teams")
	}
	now := s.clock.Now().UTC()
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Team(id); err != nil {
			return err
		}
		ps, err := tx.Projects()
		if err != nil {
			return err
		}
		for i := range ps {
			if j := slices.Index(ps[i].Teams, id); j >= 0 {
				ps[i].Teams = slices.Delete(ps[i].Teams, j, j+1)
				if err := tx.PutProject(&ps[i]); err != nil {
					return err
				}
			}
		}
		invs, err := tx.InvitationsOf(0, []uint64{id})
		if err != nil {
			return err
		}
		for i := range invs {
			if inv := &invs[i]; inv.TeamID == id && inv.Status == store.InvitationPending {
				inv.Status, inv.SettledAt, inv.SettledBy = store.InvitationDeclined, now, c.ID
				if err := tx.PutInvitation(inv); err != nil {
					return err
				}
			}
		}
		return tx.DeleteTeam(id)
	})
	return storeErr(err, "team")
}

// CustomerPatch is PATCH /customers/{id}.
type CustomerPatch struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
}

// UpdateCustomer changes customer id (staff).
func (s *Directory) UpdateCustomer(ctx context.Context, c Caller, id uint64, p CustomerPatch) (*store.Customer, error) {
	if !c.IsStaff() {
		return nil, forbiddenOrNotFound(c, "only staff may change customers")
	}
	if p.Name != nil && (len(*p.Name) > 200 || strings.ContainsFunc(*p.Name, isControl)) {
		return nil, errorf(KindInvalid, "name: at most 200 bytes, one line")
	}
	if p.Email != nil {
		if !validEmail(*p.Email) {
			return nil, errorf(KindInvalid, "email: a valid address is required")
		}
		if s.addrs.reservedAddress(*p.Email) {
			return nil, errorf(KindInvalid, "email: %s is one of deskgate's own addresses", store.NormalizeEmail(*p.Email))
		}
	}
	var cu *store.Customer
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if cu, err = tx.Customer(id); err != nil {
			return err
		}
		if p.Name != nil {
			cu.Name = strings.TrimSpace(*p.Name)
		}
		if p.Email != nil {
			if _, err := tx.UserByEmail(*p.Email); err == nil {
				return errorf(KindConflict, "email %s belongs to a user", store.NormalizeEmail(*p.Email))
			}
			cu.Email = *p.Email
		}
		return tx.PutCustomer(cu)
	})
	if err != nil {
		return nil, storeErr(err, "customer")
	}
	return cu, nil
}

// MailboxPatch is PATCH /mailboxes/{id}.
type MailboxPatch struct {
	Password     *string `json:"password"`
	Folder       *string `json:"folder"`
	After        *string `json:"after"`
	PollInterval *string `json:"poll_interval"`
}

// UpdateMailbox changes mailbox id's password, folder, after or
// poll_interval (admins). The node working it reconnects with the new
// settings; a new folder starts afresh (its checkpoint is set again at the
// next connection: only mail arriving from then on is imported).
func (s *Mailboxes) UpdateMailbox(ctx context.Context, c Caller, id uint64, p MailboxPatch) (store.Mailbox, error) {
	if !c.IsAdmin() {
		return store.Mailbox{}, forbiddenOrNotFound(c, "only an admin may change mailboxes")
	}
	var m store.Mailbox
	err := s.st.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.Mailbox(id)
		if err != nil {
			return err
		}
		in := MailboxInput{Host: cur.Host, Port: cur.Port, TLS: cur.TLS, Username: cur.Username, Password: cur.Password,
			Folder: cur.Folder, After: cur.After, PollInterval: cur.PollInterval.String()}
		if p.Password != nil {
			in.Password = *p.Password
		}
		if p.Folder != nil {
			in.Folder = *p.Folder
		}
		if p.After != nil {
			in.After = *p.After
		}
		if p.PollInterval != nil {
			in.PollInterval = *p.PollInterval
		}
		v, err := validMailbox(in)
		if err != nil {
			return err
		}
		m = *cur
		if v.Folder != cur.Folder {
			m.Started, m.UIDValidity, m.LastUID, m.AfterUID, m.BacklogUID, m.RescanUID = false, 0, 0, 0, 0, 0
			m.ImportSince = time.Time{}
		}
		m.Password, m.Folder, m.After, m.PollInterval = v.Password, v.Folder, v.After, v.PollInterval
		m.Generation++ // the state is the worker's to tell, once it reconnected
		return tx.PutMailbox(&m)
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Mailbox{}, notFound("mailbox", id)
	}
	if err != nil {
		return store.Mailbox{}, storeErr(err, "mailbox")
	}
	s.log.Info("mailbox changed", "mailbox", id, "generation", m.Generation, "password_changed", p.Password != nil)
	return m, nil
}
