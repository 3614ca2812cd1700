package bridge

import (
	"context"
	"errors"
	"slices"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// KindLocked refuses to disable or delete what SPEC §9 locks (HTTP 422,
// code "locked").
const KindLocked ErrorKind = "locked"

// TemplateView is a template as the messaging center shows it (SPEC §9).
type TemplateView struct {
	Name      string
	Kind      string // templates.KindSystem or templates.KindCustom
	Subject   string
	Text      string
	HTML      string
	Enabled   bool
	Locked    bool
	Edited    bool // a system template differs from its default
	Variables []templates.Var
	// UsedBy lists, in id order, the automations whose actions render the
	// template (automation 1 uses "notification"); set by Templates and
	// Template.
	UsedBy []uint64
}

// TemplateInput changes a template; nil fields are kept.
type TemplateInput struct {
	Subject, Text, HTML *string
	Enabled             *bool
}

// templateTx returns the template name as it applies now: the stored edit
// or custom template, else the system default. Every render reads it in
// its own transaction, so an edit applies to the next email on every node.
func templateTx(tx store.MessagingTx, name string) (TemplateView, bool, error) {
	def, system := templates.System(name)
	r, err := tx.Template(name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if !system {
			return TemplateView{}, false, nil
		}
		return TemplateView{Name: name, Kind: templates.KindSystem, Subject: def.Default.Subject, Text: def.Default.Text,
			HTML: def.Default.HTML, Enabled: true, Locked: def.Locked, Variables: def.Variables}, true, nil
	case err != nil:
		return TemplateView{}, false, err
	}
	v := TemplateView{Name: name, Kind: r.Kind, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Enabled: r.Enabled,
		Edited: r.Edited, Variables: templates.VariablesOf(name)}
	if system {
		v.Kind, v.Locked = templates.KindSystem, def.Locked
		if v.Locked {
			v.Enabled = true
		}
		if !r.Edited {
			v.Subject, v.Text, v.HTML = def.Default.Subject, def.Default.Text, def.Default.HTML
		}
	}
	return v, true, nil
}

func (v TemplateView) template() templates.Template {
	return templates.Template{Name: v.Name, Subject: v.Subject, Text: v.Text, HTML: v.HTML}
}

func requireAdmin(c Caller) error {
	if !c.IsAdmin() {
		return forbiddenOrNotFound(c, "only an admin may manage the messaging center")
	}
	return nil
}

// Templates lists every template: the system ones in their order, then the
// custom ones by name.
func (s *Messaging) Templates(ctx context.Context, c Caller) ([]TemplateView, error) {
	if err := requireAdmin(c); err != nil {
		return nil, err
	}
	var out []TemplateView
	err := s.st.View(ctx, func(tx store.Tx) error {
		out = nil
		usedBy, err := templateUsers(tx)
		if err != nil {
			return err
		}
		for _, n := range templates.SystemNames() {
			v, _, err := templateTx(tx, n)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		rs, err := tx.Templates()
		if err != nil {
			return err
		}
		for _, r := range rs {
			if !templates.IsSystem(r.Name) {
				v, _, err := templateTx(tx, r.Name)
				if err != nil {
					return err
				}
				out = append(out, v)
			}
		}
		out = withUsers(out, usedBy)
		return nil
	})
	return out, storeErr(err, "templates")
}

// Template returns template name.
func (s *Messaging) Template(ctx context.Context, c Caller, name string) (TemplateView, error) {
	if err := requireAdmin(c); err != nil {
		return TemplateView{}, err
	}
	var v TemplateView
	err := s.st.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if v, ok, err = templateTx(tx, name); err == nil && !ok {
			err = errorf(KindNotFound, "template %q not found", name)
		}
		if err != nil {
			return err
		}
		usedBy, err := templateUsers(tx)
		v = withUsers([]TemplateView{v}, usedBy)[0]
		return err
	})
	return v, storeErr(err, "template")
}

// templateViewTx is template name as the API shows it, UsedBy included.
func templateViewTx(tx store.MessagingTx, name string) (TemplateView, error) {
	v, _, err := templateTx(tx, name)
	if err != nil {
		return v, err
	}
	usedBy, err := templateUsers(tx)
	return withUsers([]TemplateView{v}, usedBy)[0], err
}

// templateUsers maps each template name to the automations that use it,
// in id order: automation 1 uses "notification", a stored one every
// template its actions name.
func templateUsers(tx store.MessagingTx) (map[string][]uint64, error) {
	as, err := tx.Automations()
	if err != nil {
		return nil, err
	}
	out := map[string][]uint64{templates.Notification: {NotificationAutomationID}}
	for _, a := range as {
		for _, act := range a.Actions {
			if ids := out[act.Template]; len(ids) == 0 || ids[len(ids)-1] != a.ID {
				out[act.Template] = append(ids, a.ID)
			}
		}
	}
	return out, nil
}

// withUsers sets UsedBy of each view (never nil: an unused template has
// an empty list).
func withUsers(vs []TemplateView, usedBy map[string][]uint64) []TemplateView {
	for i := range vs {
		vs[i].UsedBy = append([]uint64{}, usedBy[vs[i].Name]...)
	}
	return vs
}

// validateTemplate refuses a template that does not parse or names an
// unknown variable, naming the part and the line.
func validateTemplate(t templates.Template) error {
	if err := templates.Validate(t, templates.VariablesOf(t.Name)); err != nil {
		return &Error{Kind: KindInvalid, Message: err.Error(), Err: err}
	}
	return nil
}

// UpdateTemplate edits template name (SPEC §9). A locked system template
// cannot be disabled.
func (s *Messaging) UpdateTemplate(ctx context.Context, c Caller, name string, in TemplateInput) (TemplateView, error) {
	if err := requireAdmin(c); err != nil {
		return TemplateView{}, err
	}
	var v TemplateView
	err := s.st.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := templateTx(tx, name)
		if err != nil {
			return err
		}
		if !ok {
			return errorf(KindNotFound, "template %q not found", name)
		}
		if in.Enabled != nil && !*in.Enabled && cur.Locked {
			return errorf(KindLocked, "template %q is locked: it cannot be disabled, only edited", name)
		}
		edited := cur.Edited
		for _, f := range []struct {
			in  *string
			dst *string
		}{{in.Subject, &cur.Subject}, {in.Text, &cur.Text}, {in.HTML, &cur.HTML}} {
			if f.in != nil && *f.in != *f.dst {
				*f.dst, edited = *f.in, true
			}
		}
		if in.Enabled != nil {
			cur.Enabled = *in.Enabled
		}
		if err := validateTemplate(cur.template()); err != nil {
			return err
		}
		if def, system := templates.System(name); system && cur.template() == def.Default {
			edited = false
		}
		rec := &store.TemplateRecord{Name: name, Kind: cur.Kind, Subject: cur.Subject, Text: cur.Text, HTML: cur.HTML,
			Edited: edited || cur.Kind == templates.KindCustom, Enabled: cur.Enabled, UpdatedAt: s.clock.Now()}
		if err := tx.PutTemplate(rec); err != nil {
			return err
		}
		v, err = templateViewTx(tx, name)
		return err
	})
	return v, storeErr(err, "template")
}

// CreateTemplate adds a custom template (for automations).
func (s *Messaging) CreateTemplate(ctx context.Context, c Caller, name string, in TemplateInput) (TemplateView, error) {
	if err := requireAdmin(c); err != nil {
		return TemplateView{}, err
	}
	if err := templates.ValidName(name); err != nil {
		return TemplateView{}, errorf(KindInvalid, "%s", err)
	}
	t := templates.Template{Name: name}
	for _, f := range []struct {
		in  *string
		dst *string
	}{{in.Subject, &t.Subject}, {in.Text, &t.Text}, {in.HTML, &t.HTML}} {
		if f.in != nil {
			*f.dst = *f.in
		}
	}
	if templates.IsSystem(name) {
		return TemplateView{}, errorf(KindConflict, "template %q is a system template: edit it with PUT", name)
	}
	if err := validateTemplate(t); err != nil {
		return TemplateView{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	var v TemplateView
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Template(name); err == nil {
			return errorf(KindConflict, "template %q already exists", name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		rec := &store.TemplateRecord{Name: name, Kind: templates.KindCustom, Subject: t.Subject, Text: t.Text, HTML: t.HTML,
			Edited: true, Enabled: enabled, UpdatedAt: s.clock.Now()}
		if err := tx.PutTemplate(rec); err != nil {
			return err
		}
		var err error
		v, err = templateViewTx(tx, name)
		return err
	})
	return v, storeErr(err, "template")
}

// DeleteTemplate removes a custom template that no automation uses.
func (s *Messaging) DeleteTemplate(ctx context.Context, c Caller, name string) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	if templates.IsSystem(name) {
		return errorf(KindLocked, "template %q is a system template: it cannot be deleted (reset it instead)", name)
	}
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.Template(name); err != nil {
			return errorf(KindNotFound, "template %q not found", name)
		}
		as, err := tx.Automations()
		if err != nil {
			return err
		}
		for _, a := range as {
			if slices.ContainsFunc(a.Actions, func(x store.AutomationAction) bool { return x.Template == name }) {
				return errorf(KindConflict, "template %q is used by automation %d (%s)", name, a.ID, a.Name)
			}
		}
		return tx.DeleteTemplate(name)
	}), "template")
}

// ResetTemplate puts system template name back to its default (keeping
// whether it is enabled).
func (s *Messaging) ResetTemplate(ctx context.Context, c Caller, name string) (TemplateView, error) {
	if err := requireAdmin(c); err != nil {
		return TemplateView{}, err
	}
	if !templates.IsSystem(name) {
		return TemplateView{}, errorf(KindInvalid, "template %q is not a system template: it has no default", name)
	}
	var v TemplateView
	err := s.st.Update(ctx, func(tx store.Tx) error {
		r, err := tx.Template(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case r.Enabled:
			if err := tx.DeleteTemplate(name); err != nil {
				return err
			}
		default:
			r.Edited, r.Subject, r.Text, r.HTML, r.UpdatedAt = false, "", "", "", s.clock.Now()
			if err := tx.PutTemplate(r); err != nil {
				return err
			}
		}
		v, err = templateViewTx(tx, name)
		return err
	})
	return v, storeErr(err, "template")
}

// PreviewInput is what to preview: the stored template, or the bodies
// given (an edit not saved yet), with sample data under the given data.
type PreviewInput struct {
	Subject, Text, HTML *string
	Data                map[string]any
}

// PreviewTemplate renders template name with sample data (overridden by
// in.Data) without sending anything.
func (s *Messaging) PreviewTemplate(ctx context.Context, c Caller, name string, in PreviewInput) (templates.Rendered, error) {
	v, err := s.Template(ctx, c, name)
	if err != nil {
		return templates.Rendered{}, err
	}
	for _, f := range []struct {
		in  *string
		dst *string
	}{{in.Subject, &v.Subject}, {in.Text, &v.Text}, {in.HTML, &v.HTML}} {
		if f.in != nil {
			*f.dst = *f.in
		}
	}
	t := v.template()
	if err := validateTemplate(t); err != nil {
		return templates.Rendered{}, err
	}
	r, err := templates.Render(t, templates.Merge(v.Variables, in.Data))
	if err != nil {
		return r, &Error{Kind: KindInvalid, Message: err.Error(), Err: err}
	}
	return r, nil
}

// RenderTemplate renders template name as it applies now with data, for
// whoever sends an email from it (the accounts emails). enabled is false
// for a switched-off template: the caller then sends nothing.
func (s *Messaging) RenderTemplate(ctx context.Context, name string, data any) (r templates.Rendered, enabled bool, err error) {
	var v TemplateView
	var ok bool
	if err := s.st.View(ctx, func(tx store.Tx) error { var err error; v, ok, err = templateTx(tx, name); return err }); err != nil {
		return r, false, storeErr(err, "template")
	}
	if !ok {
		return r, false, errorf(KindNotFound, "template %q not found", name)
	}
	r, err = templates.Render(v.template(), data)
	return r, v.Enabled, err
}

// SendTemplateEmailTx renders template name for r with data and queues it
// in tx (the account emails: welcome, password_reset, invitation, …). It
// queues nothing and reports false with the reason when the template is
// switched off, the address hard-bounced recently, or the outbound cap is
// reached. cause goes to the mail log's detail. Call Kick on the outbox
// (KickOutbox) after tx commits when it reports true.
func (s *Messaging) SendTemplateEmailTx(tx TemplateEmailTx, name string, r store.Recipient, data any, cause string) (bool, string, error) {
	if s.outbox == nil {
		return false, "no outbound mail configured", nil
	}
	v, ok, err := templateTx(tx, name)
	switch {
	case err != nil:
		return false, "", err
	case !ok:
		return false, "", errorf(KindNotFound, "template %q not found", name)
	case !v.Enabled:
		return false, "template " + name + " is disabled", nil
	}
	out, err := templates.Render(v.template(), data)
	if err != nil {
		return false, "", err
	}
	e := &Email{Recipient: r, MessageID: s.addrs.newMessageID(), Rendered: out, Template: name, Cause: cause}
	now := s.clock.Now()
	reason, err := s.suppressed(tx, e, now)
	if err != nil || reason != "" {
		return false, reason, err
	}
	if _, err := s.outbox.Enqueue(tx, e); err != nil {
		return false, "", err
	}
	return true, "", s.recordSent(tx, e, now)
}

// KickOutbox wakes the outbound queue after a commit that queued email.
func (s *Messaging) KickOutbox() { s.notes.kick(true) }
