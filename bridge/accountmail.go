package bridge

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// The account emails of SPEC §10: welcome, password_reset, invitation,
// assignment_changed and new_member. They are rendered from the system
// templates of the messaging center (SPEC §9: an admin's edit applies, a
// system email switched off is not sent, password_reset is locked on),
// go through the same durable queue as notifications (DKIM-signed, in the
// outbound mail log) and are queued in the transaction that makes the
// change they tell of: a change is never without its email, nor an email
// without its change.

// System template names of the account emails.
const (
	TemplateWelcome           = templates.Welcome
	TemplatePasswordReset     = templates.PasswordReset
	TemplateInvitation        = templates.Invitation
	TemplateAssignmentChanged = templates.AssignmentChanged
	TemplateNewMember         = templates.NewMember
)

// nameOf is how a user is named in an email: the name, else the local
// part of the address.
func nameOf(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return displayName(store.Author{Email: u.Email})
}

// sendAccountEmail renders system template name for user u with data (the
// recipient's Name, Email and the Site are added) and queues it in tx. It
// reports whether it queued one (false: switched off, or no outbound mail).
func (s *Service) sendAccountEmail(tx store.Tx, name string, u *store.User, data map[string]any) (bool, error) {
	if s.outbox == nil {
		s.log.Debug("account email not sent: no outbound mail configured", "template", name, "user_id", u.ID)
		return false, nil
	}
	t, ok, err := templateTx(tx, name)
	if err != nil {
		return false, err
	}
	if !ok || !t.Enabled {
		s.log.Debug("account email switched off", "template", name, "user_id", u.ID)
		return false, nil
	}
	data["Name"], data["Email"], data["Site"] = nameOf(u), u.Email, s.publicURL()
	r, err := templates.Render(t.template(), data)
	if err != nil {
		// An edit that validated but fails on real data: the default
		// still tells the user (a reset link must not be lost).
		s.log.Error("account email template failed, using the default", "template", name, "err", err)
		def, _ := templates.System(name)
		if r, err = templates.Render(def.Default, data); err != nil {
			return false, fmt.Errorf("render %s: %w", name, err)
		}
	}
	e := &Email{
		Recipient: store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name},
		MessageID: s.newMessageID(), Rendered: r, Template: name, FromName: "deskgate", Cause: name + " email",
	}
	id, err := s.outbox.Enqueue(tx, e)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", name, err)
	}
	s.log.Info("account email queued", slog.String("template", name), slog.Uint64("user_id", u.ID), slog.Uint64("outbound_id", id))
	return true, nil
}

// inWords says a link's lifetime for the emails ("1 hour", "72 hours").
func inWords(d time.Duration) string {
	switch h := int(d.Round(time.Minute) / time.Hour); {
	case d%time.Hour != 0:
		return d.Round(time.Minute).String()
	case h == 1:
		return "1 hour"
	default:
		return fmt.Sprintf("%d hours", h)
	}
}
