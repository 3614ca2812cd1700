package bridge

import (
	"errors"
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
// recipient's Name, Email and the Site are added) and queues it in tx,
// through the messaging center's SendTemplateEmailTx: nothing goes out
// when the email is switched off, the address hard-bounced recently or
// the outbound cap (20 an hour per address for account emails) is
// reached. It reports whether it queued one.
func (s *Accounts) sendAccountEmail(tx TemplateEmailTx, name string, u *store.User, data map[string]any) (bool, error) {
	data["Name"], data["Email"], data["Site"] = nameOf(u), u.Email, s.addrs.publicURL()
	r := store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name}
	cause := name + " email"
	sent, reason, err := s.msgs.SendTemplateEmailTx(tx, name, r, data, cause)
	var terr *templates.Error
	if errors.As(err, &terr) {
		// An edit that validated but fails on real data: the default
		// still tells the user (a reset link must not be lost, and a
		// broken welcome must not stop users from being created).
		s.log.Error("account email template failed, using the default", "template", name, "err", err)
		sent, reason, err = s.sendDefault(tx, name, r, data, cause)
	}
	if err != nil {
		return false, fmt.Errorf("%s email: %w", name, err)
	}
	if !sent {
		s.log.Info("account email not sent", slog.String("template", name), slog.Uint64("user_id", u.ID), slog.String("reason", reason))
		return false, nil
	}
	s.log.Info("account email queued", slog.String("template", name), slog.Uint64("user_id", u.ID))
	return true, nil
}

// sendDefault queues system template name's default text, with the same
// checks as SendTemplateEmailTx.
func (s *Accounts) sendDefault(tx sendingTx, name string, r store.Recipient, data any, cause string) (bool, string, error) {
	def, _ := templates.System(name)
	out, err := templates.Render(def.Default, data)
	if err != nil {
		return false, "", err
	}
	e := &Email{Recipient: r, MessageID: s.addrs.newMessageID(), Rendered: out, Template: name, Cause: cause}
	now := s.clock.Now()
	if reason, err := s.msgs.suppressed(tx, e, now); err != nil || reason != "" {
		return false, reason, err
	}
	if _, err := s.outbox.Enqueue(tx, e); err != nil {
		return false, "", err
	}
	return true, "", s.msgs.recordSent(tx, e, now)
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
