package bridge

import (
	"fmt"
	"log/slog"

	"github.com/deskgate/deskgate/store"
)

// The account emails of SPEC §10: welcome, password_reset, invitation,
// assignment_changed and new_member. They are rendered from the system
// templates of the messaging center (SPEC §9), go through the same
// durable queue as notifications (DKIM-signed, in the outbound mail log)
// and are queued in the transaction that makes the change they tell of,
// so a change is never without its email nor an email without its change.

// System template names of the account emails.
const (
	TemplateWelcome           = "welcome"
	TemplatePasswordReset     = "password_reset"
	TemplateInvitation        = "invitation"
	TemplateAssignmentChanged = "assignment_changed"
	TemplateNewMember         = "new_member"
)

// AccountEmail is one rendered account email to one user.
type AccountEmail struct {
	Template  string          // the system template it was rendered from
	Recipient store.Recipient // a user, with address and name
	Subject   string
	Text      string
	HTML      string
	MessageID string // without <>
}

// AccountOutbox is the ability of an Outbox to send account emails; the
// outbound queue has it. Enqueue writes inside tx only.
type AccountOutbox interface {
	EnqueueAccount(tx store.Tx, e *AccountEmail) (uint64, error)
}

// SystemTemplates renders the system emails. The messaging center's
// template store implements it (admins edit and switch them); without one
// the built-in defaults are used (DefaultTemplates).
type SystemTemplates interface {
	// RenderSystem renders system template name with data. enabled is
	// false when an admin switched the email off; a locked template
	// (password_reset) is always enabled.
	RenderSystem(tx store.Tx, name string, data any) (subject, text, html string, enabled bool, err error)
}

// SetTemplates plugs in the system templates. Call it before the Service
// is shared.
func (s *Service) SetTemplates(t SystemTemplates) { s.templates = t }

// Person is a user as the templates see it.
type Person struct {
	Name  string
	Email string
}

func personOf(u *store.User) Person {
	name := u.Name
	if name == "" {
		name = displayName(store.Author{Email: u.Email})
	}
	return Person{Name: name, Email: u.Email}
}

// sendAccountEmail renders template name for user u and queues it in tx.
// It reports whether it queued one (false: switched off, or no outbound
// mail configured).
func (s *Service) sendAccountEmail(tx store.Tx, name string, u *store.User, data any) (bool, error) {
	ob, ok := s.outbox.(AccountOutbox)
	if !ok {
		s.log.Debug("account email not sent: no outbound mail configured", "template", name, "user_id", u.ID)
		return false, nil
	}
	tpl := s.templates
	if tpl == nil {
		tpl = DefaultTemplates{}
	}
	subject, text, html, enabled, err := tpl.RenderSystem(tx, name, data)
	if err != nil {
		return false, fmt.Errorf("render %s: %w", name, err)
	}
	if !enabled {
		s.log.Debug("account email switched off", "template", name, "user_id", u.ID)
		return false, nil
	}
	e := &AccountEmail{
		Template:  name,
		Recipient: store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name},
		Subject:   subject, Text: text, HTML: html,
		MessageID: s.newMessageID(),
	}
	id, err := ob.EnqueueAccount(tx, e)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", name, err)
	}
	s.log.Info("account email queued", slog.String("template", name), slog.Uint64("user_id", u.ID), slog.Uint64("outbound_id", id))
	return true, nil
}
