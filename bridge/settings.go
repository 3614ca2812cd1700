package bridge

import (
	"context"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// SettingsPatch is a partial update of a user's settings: nil fields stay.
type SettingsPatch struct {
	ConversationVisibility *string `json:"conversation_visibility"`
	ShowFromCustomers      *bool   `json:"show_from_customers"`
	FromCustomers          *string `json:"from_customers"`
	FromUsersAndBot        *string `json:"from_users_and_bot"`
	FollowedInternal       *bool   `json:"followed_internal"`
	EmailAssignmentChanges *bool   `json:"email_assignment_changes"`
	EmailNewMembers        *bool   `json:"email_new_members"`
	AcceptAllInvitations   *bool   `json:"accept_all_invitations"`
}

// settingsAccess allows an admin for anyone and a user for itself.
func settingsAccess(c Caller, id uint64) error {
	if c.IsAdmin() || (c.IsStaff() && c.ID == id) {
		return nil
	}
	if c.IsStaff() {
		return errorf(KindForbidden, "only an admin may see or change another user's settings")
	}
	return notFound("user", id)
}

// Settings returns user id's notification settings.
func (s *Mailboxes) Settings(ctx context.Context, c Caller, id uint64) (store.Settings, error) {
	if err := settingsAccess(c, id); err != nil {
		return store.Settings{}, err
	}
	var st store.Settings
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.User(id); err != nil {
			return err
		}
		var err error
		st, err = tx.Settings(id)
		return err
	})
	return st, storeErr(err, "user")
}

// UpdateSettings applies p to user id's settings and returns the result.
func (s *Mailboxes) UpdateSettings(ctx context.Context, c Caller, id uint64, p SettingsPatch) (store.Settings, error) {
	if err := settingsAccess(c, id); err != nil {
		return store.Settings{}, err
	}
	if err := p.validate(); err != nil {
		return store.Settings{}, err
	}
	var st store.Settings
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.User(id); err != nil {
			return err
		}
		var err error
		if st, err = tx.Settings(id); err != nil {
			return err
		}
		if err := p.permitted(c, st); err != nil {
			return err
		}
		p.apply(&st)
		return tx.PutSettings(id, st)
	})
	return st, storeErr(err, "user")
}

// permitted refuses a non-admin's change of the two settings that are
// permissions rather than preferences: conversation_visibility decides
// what the user may read (SPEC §4) and show_from_customers whether
// customers' messages reach them. An admin sets them (the seed gives them
// to the admin); the user keeps every notification preference. Sending
// the current value back (a UI that PUTs the whole object) is no change.
func (p SettingsPatch) permitted(c Caller, cur store.Settings) error {
	if c.IsAdmin() {
		return nil
	}
	if (p.ConversationVisibility != nil && *p.ConversationVisibility != cur.ConversationVisibility) ||
		(p.ShowFromCustomers != nil && *p.ShowFromCustomers != cur.ShowFromCustomers) {
		return errorf(KindForbidden, "only an admin may change conversation_visibility and show_from_customers (they decide what a user may see); the notification preferences are the user's own")
	}
	return nil
}

func oneOf(field string, v *string, allowed ...string) error {
	if v != nil && !slices.Contains(allowed, *v) {
		return errorf(KindInvalid, "%s: must be one of %v", field, allowed)
	}
	return nil
}

func (p SettingsPatch) validate() error {
	for _, err := range []error{
		oneOf("conversation_visibility", p.ConversationVisibility, "all", "followed"),
		oneOf("from_customers", p.FromCustomers, "all", "mine", "none"),
		oneOf("from_users_and_bot", p.FromUsersAndBot, "all", "followed", "none"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (p SettingsPatch) apply(s *store.Settings) {
	setIf(&s.ConversationVisibility, p.ConversationVisibility)
	setIf(&s.ShowFromCustomers, p.ShowFromCustomers)
	setIf(&s.FromCustomers, p.FromCustomers)
	setIf(&s.FromUsersAndBot, p.FromUsersAndBot)
	setIf(&s.FollowedInternal, p.FollowedInternal)
	setIf(&s.EmailAssignmentChanges, p.EmailAssignmentChanges)
	setIf(&s.EmailNewMembers, p.EmailNewMembers)
	setIf(&s.AcceptAllInvitations, p.AcceptAllInvitations)
}
