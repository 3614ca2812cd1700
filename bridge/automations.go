package bridge

import (
	"context"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// Events an automation can be triggered by (SPEC §9).
const (
	EventItemCreated          = "item.created"
	EventItemStatusChanged    = "item.status_changed"
	EventItemAssigneesChanged = "item.assignees_changed"
	EventConversationCreated  = "conversation.created"
	EventMessageCreated       = "message.created"
)

// Action types and send_email audiences.
const (
	ActionPostMessage = "post_message"
	ActionSendEmail   = "send_email"

	ToFollowers = "followers"
	ToAssignees = "assignees"
	ToCustomers = "customers"
)

// conditionsOf lists the conditions each event understands and the
// values each allows (nil: a status word).
var conditionsOf = map[string]map[string][]string{
	EventItemCreated:          {},
	EventItemStatusChanged:    {"to": nil, "from": nil},
	EventItemAssigneesChanged: {},
	EventConversationCreated:  {"kind": {store.KindExternal, store.KindInternal}},
	EventMessageCreated: {
		"author_type": {store.AuthorUser, store.AuthorCustomer, store.AuthorBot},
		"kind":        {store.KindExternal, store.KindInternal},
	},
}

// Events lists the events automations may use, in documentation order.
func Events() []string {
	return []string{EventItemCreated, EventItemStatusChanged, EventItemAssigneesChanged, EventConversationCreated, EventMessageCreated}
}

// Limits on automations.
const (
	maxAutomationName = 200
	maxActions        = 10
)

var statusRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// AutomationView is an automation as the API shows it; automation 1 is
// the built-in one-minute rule.
type AutomationView struct {
	store.Automation
	Locked bool
}

// builtinAutomation is automation 1: the one-minute rule of SPEC §4 as an
// automation. It is not stored; its template is "notification". Its runs
// are the notification emails it queued (store.BuiltinRuns).
func builtinAutomation(tx store.MessagingTx) (AutomationView, error) {
	runs, err := tx.BuiltinRuns(NotificationAutomationID)
	return AutomationView{Locked: true, Automation: store.Automation{
		ID: NotificationAutomationID, Name: NotificationAutomationName, Event: EventMessageCreated,
		Conditions: map[string]string{},
		Actions:    []store.AutomationAction{{Type: ActionSendEmail, Template: "notification", To: ToFollowers}},
		Enabled:    true, Runs: runs,
	}}, err
}

// AutomationInput is a new or changed automation.
type AutomationInput struct {
	Name       string
	Event      string
	Conditions map[string]string
	Actions    []store.AutomationAction
	Enabled    *bool // nil: enabled when created, kept when changed
	// KeepName, KeepTrigger (event and conditions) and KeepActions make
	// UpdateAutomation keep the automation's current value (a PUT that
	// leaves the field out); CreateAutomation ignores them.
	KeepName, KeepTrigger, KeepActions bool
}

// validate refuses what could never run: an unknown event or condition,
// an action of an unknown type, an unknown template or audience.
func (s *Messaging) validateAutomation(tx store.MessagingTx, in *AutomationInput) error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return errorf(KindInvalid, "name: required")
	case len(in.Name) > maxAutomationName:
		return errorf(KindInvalid, "name: at most %d bytes", maxAutomationName)
	}
	conds, ok := conditionsOf[in.Event]
	if !ok {
		return errorf(KindInvalid, "trigger.event: unknown event %q (one of %s)", in.Event, strings.Join(Events(), ", "))
	}
	if in.Conditions == nil {
		in.Conditions = map[string]string{}
	}
	for k, v := range in.Conditions {
		allowed, ok := conds[k]
		switch {
		case !ok:
			return errorf(KindInvalid, "trigger.conditions: %s has no condition %q", in.Event, k)
		case allowed == nil && !statusRE.MatchString(v):
			return errorf(KindInvalid, "trigger.conditions.%s: %q is not a status (lower-case word)", k, v)
		case allowed != nil && !slices.Contains(allowed, v):
			return errorf(KindInvalid, "trigger.conditions.%s: %q is not one of %s", k, v, strings.Join(allowed, ", "))
		}
	}
	if len(in.Actions) == 0 || len(in.Actions) > maxActions {
		return errorf(KindInvalid, "actions: 1 to %d actions", maxActions)
	}
	for i := range in.Actions {
		a := &in.Actions[i]
		field := fmt.Sprintf("actions[%d]", i)
		if _, ok, err := templateTx(tx, a.Template); err != nil {
			return err
		} else if !ok {
			return errorf(KindInvalid, "%s.template: no template %q", field, a.Template)
		}
		switch a.Type {
		case ActionPostMessage:
			if a.Conversation != store.KindExternal && a.Conversation != store.KindInternal {
				return errorf(KindInvalid, "%s.conversation: external or internal", field)
			}
			a.To = ""
		case ActionSendEmail:
			switch a.To {
			case ToFollowers, ToAssignees, ToCustomers:
			default:
				addr, err := mail.ParseAddress(a.To)
				if err != nil || addr.Name != "" || addr.Address != a.To {
					return errorf(KindInvalid, "%s.to: followers, assignees, customers or an email address", field)
				}
				if s.addrs.reservedAddress(strings.ToLower(a.To)) {
					return errorf(KindInvalid, "%s.to: %s is deskgate's own address", field, a.To)
				}
			}
			a.Conversation = ""
		default:
			return errorf(KindInvalid, "%s.type: post_message or send_email", field)
		}
	}
	return nil
}

// Automations lists automation 1 first, then the stored ones by id.
func (s *Messaging) Automations(ctx context.Context, c Caller) ([]AutomationView, error) {
	if err := requireAdmin(c); err != nil {
		return nil, err
	}
	var out []AutomationView
	err := s.st.View(ctx, func(tx store.Tx) error {
		b, err := builtinAutomation(tx)
		if err != nil {
			return err
		}
		as, err := tx.Automations()
		out = append(make([]AutomationView, 0, len(as)+1), b)
		for _, a := range as {
			out = append(out, AutomationView{Automation: a})
		}
		return err
	})
	return out, storeErr(err, "automations")
}

// Automation returns automation id.
func (s *Messaging) Automation(ctx context.Context, c Caller, id uint64) (AutomationView, error) {
	if err := requireAdmin(c); err != nil {
		return AutomationView{}, err
	}
	var v AutomationView
	err := s.st.View(ctx, func(tx store.Tx) error {
		if id == NotificationAutomationID {
			var err error
			v, err = builtinAutomation(tx)
			return err
		}
		a, err := tx.Automation(id)
		if err == nil {
			v = AutomationView{Automation: *a}
		}
		return err
	})
	return v, storeErr(err, "automation")
}

// CreateAutomation adds an automation.
func (s *Messaging) CreateAutomation(ctx context.Context, c Caller, in AutomationInput) (AutomationView, error) {
	if err := requireAdmin(c); err != nil {
		return AutomationView{}, err
	}
	var a *store.Automation
	err := s.st.Update(ctx, func(tx store.Tx) error {
		in := in
		in.Actions = slices.Clone(in.Actions)
		if err := s.validateAutomation(tx, &in); err != nil {
			return err
		}
		a = &store.Automation{Name: in.Name, Event: in.Event, Conditions: in.Conditions, Actions: in.Actions,
			Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: s.clock.Now()}
		return tx.CreateAutomation(a)
	})
	if err != nil {
		return AutomationView{}, storeErr(err, "automation")
	}
	return AutomationView{Automation: *a}, nil
}

// UpdateAutomation changes automation id: its name, trigger (event and
// conditions, replaced together), actions and enabled, each kept when in
// says so (KeepName …, Enabled nil); its runs and last error stay.
// Automation 1 is locked.
func (s *Messaging) UpdateAutomation(ctx context.Context, c Caller, id uint64, in AutomationInput) (AutomationView, error) {
	if err := requireAdmin(c); err != nil {
		return AutomationView{}, err
	}
	if id == NotificationAutomationID {
		return AutomationView{}, errorf(KindLocked, "automation 1 (%s) is locked: edit its template \"notification\" instead", NotificationAutomationName)
	}
	var a *store.Automation
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		if a, err = tx.Automation(id); err != nil {
			return err
		}
		in := in
		if in.KeepName {
			in.Name = a.Name
		}
		if in.KeepTrigger {
			in.Event, in.Conditions = a.Event, maps.Clone(a.Conditions)
		}
		if in.KeepActions {
			in.Actions = a.Actions
		}
		in.Actions = slices.Clone(in.Actions)
		if err := s.validateAutomation(tx, &in); err != nil {
			return err
		}
		a.Name, a.Event, a.Conditions, a.Actions = in.Name, in.Event, in.Conditions, in.Actions
		if in.Enabled != nil {
			a.Enabled = *in.Enabled
		}
		return tx.PutAutomation(a)
	})
	if err != nil {
		return AutomationView{}, storeErr(err, "automation")
	}
	return AutomationView{Automation: *a}, nil
}

// DeleteAutomation removes automation id. Automation 1 is locked.
func (s *Messaging) DeleteAutomation(ctx context.Context, c Caller, id uint64) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	if id == NotificationAutomationID {
		return errorf(KindLocked, "automation 1 (%s) is locked: it cannot be deleted", NotificationAutomationName)
	}
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteAutomation(id) }), "automation")
}

// automationCause names automation a as the cause of what it did.
func automationCause(a *store.Automation) string {
	return fmt.Sprintf("automation %d “%s”", a.ID, a.Name)
}
