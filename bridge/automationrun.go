package bridge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// Event is something that happened to an item, conversation or message,
// after its transaction committed; automations whose trigger matches run
// on it (SPEC §9).
type Event struct {
	Name           string
	ItemID         uint64
	ConversationID uint64
	MessageID      uint64
	From, To       string // item.status_changed
	AuthorType     string // message.created
	Kind           string // the conversation's kind
	// Sender and NoAutoAnswer, for an event an inbound mail caused: its
	// sender's address and, when that sender asked not to be answered by
	// a machine (loopguard.AutoAnswer), why. No send_email to customers
	// goes to that sender then.
	Sender       string
	NoAutoAnswer string
}

// runTimeout bounds one event's automations.
const runTimeout = 30 * time.Second

// matches reports whether automation a's trigger matches ev.
func matches(a *store.Automation, ev Event) bool {
	if !a.Enabled || a.Event != ev.Name {
		return false
	}
	for k, v := range a.Conditions {
		var got string
		switch k {
		case "to":
			got = ev.To
		case "from":
			got = ev.From
		case "author_type":
			got = ev.AuthorType
		case "kind":
			got = ev.Kind
		}
		if got != v {
			return false
		}
	}
	return true
}

// emit runs the automations that match ev, after the transaction that
// made ev committed. It never fails its caller: an action that fails is
// logged and recorded on its automation (last_error), and not retried.
// What an automation does itself emits no event (no loops, SPEC §9).
func (s *Service) emit(ctx context.Context, ev Event) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), runTimeout)
	defer cancel()
	var as []store.Automation
	if err := s.st.View(ctx, func(tx store.Tx) error { var err error; as, err = tx.Automations(); return err }); err != nil {
		s.log.Error("automations: reading", "event", ev.Name, "err", err)
		return
	}
	for i := range as {
		a := &as[i]
		if !matches(a, ev) {
			continue
		}
		var problems []string
		for n, act := range a.Actions {
			if err := s.runAction(ctx, a, act, ev); err != nil {
				s.log.Error("automation action failed", "automation", a.ID, "name", a.Name, "action", n, "type", act.Type, "event", ev.Name, "err", err)
				problems = append(problems, fmt.Sprintf("actions[%d] %s: %v", n, act.Type, err))
			}
		}
		s.recordRun(ctx, a.ID, strings.Join(problems, "; "))
	}
}

// recordRun counts a run of automation id and records its error ("" for
// none: a later success clears an earlier error).
func (s *Service) recordRun(ctx context.Context, id uint64, problem string) {
	now := s.clock.Now()
	err := s.st.Update(ctx, func(tx store.Tx) error {
		a, err := tx.Automation(id)
		if err != nil {
			return err
		}
		a.Runs++
		a.LastError, a.LastErrorAt = problem, nil
		if problem != "" {
			a.LastErrorAt = &now
		}
		return tx.PutAutomation(a)
	})
	if err != nil {
		s.log.Error("automations: recording a run", "automation", id, "err", err)
	}
}

// automationData is what a template used by an automation sees.
func automationData(tx store.Tx, a *store.Automation, ev Event, it *store.Item, conv *store.Conversation, r store.Recipient, site string) map[string]any {
	item := map[string]any{"ID": it.ID, "Title": it.Title, "Status": itemStatus(it)}
	if p, err := tx.Project(it.ProjectID); err == nil {
		item["Project"] = p.Name
	}
	c := map[string]any{}
	if conv != nil {
		c = map[string]any{"ID": conv.ID, "Subject": conv.Subject, "Kind": conv.Kind}
	}
	return map[string]any{"Name": r.Name, "Email": r.Email, "Item": item, "Conversation": c,
		"Event": ev.Name, "Automation": a.Name, "Site": site}
}

// eventItem finds the item ev is about and the conversation, if any.
func eventItem(tx store.Tx, ev Event) (*store.Item, *store.Conversation, error) {
	var conv *store.Conversation
	id := ev.ItemID
	if ev.ConversationID != 0 {
		c, err := tx.Conversation(ev.ConversationID)
		if err != nil {
			return nil, nil, err
		}
		conv, id = c, c.ItemID
	}
	it, err := tx.Item(id)
	return it, conv, err
}

// firstConversation is the item's first conversation of kind (lowest id).
func firstConversation(tx store.Tx, item uint64, kind string) (*store.Conversation, error) {
	cs, err := tx.Conversations()
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].ItemID == item && cs[i].Kind == kind {
			return &cs[i], nil
		}
	}
	return nil, nil
}

// runAction runs one action of automation a on ev in its own transaction.
func (s *Service) runAction(ctx context.Context, a *store.Automation, act store.AutomationAction, ev Event) error {
	switch act.Type {
	case ActionPostMessage:
		return s.actPost(ctx, a, act, ev)
	case ActionSendEmail:
		return s.actEmail(ctx, a, act, ev)
	}
	return fmt.Errorf("unknown action type %q", act.Type)
}

// actPost posts the template's text as the bot in the item's first
// conversation of the action's kind. Its notifications follow SPEC §4;
// its deliveries name the automation.
func (s *Service) actPost(ctx context.Context, a *store.Automation, act store.AutomationAction, ev Event) error {
	var ds []store.Delivery
	err := s.st.Update(ctx, func(tx store.Tx) error {
		ds = nil
		it, evConv, err := eventItem(tx, ev)
		if err != nil {
			return err
		}
		conv, err := firstConversation(tx, it.ID, act.Conversation)
		if err != nil {
			return err
		}
		if conv == nil {
			return fmt.Errorf("item %d has no %s conversation", it.ID, act.Conversation)
		}
		if evConv == nil {
			evConv = conv
		}
		t, ok, err := templateTx(tx, act.Template)
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("template %q no longer exists", act.Template)
		case !t.Enabled:
			return fmt.Errorf("template %q is disabled: nothing posted", act.Template)
		}
		r, err := templates.Render(t.template(), automationData(tx, a, ev, it, evConv, store.Recipient{}, s.cfg.PublicURL))
		if err != nil {
			return err
		}
		body := strings.TrimSpace(r.Text)
		if body == "" {
			return fmt.Errorf("template %q rendered an empty text", act.Template)
		}
		if len(body) > MaxBodyBytes {
			return fmt.Errorf("template %q rendered more than %d bytes", act.Template, MaxBodyBytes)
		}
		cause := automationCause(a)
		m := &store.Message{Author: store.Author{Type: store.AuthorBot, Name: "Bot"}, Body: body, Source: store.SourceAPI, Cause: cause}
		if ds, err = s.addMessage(ctx, tx, conv, m, nil, nil); err != nil {
			return err
		}
		for i := range ds {
			ds[i].Detail = "posted by " + cause
			if err := tx.PutDelivery(&ds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.afterCommit(ds)
	return nil
}

// actEmail renders the action's template for each recipient and queues
// the emails, in one transaction.
func (s *Service) actEmail(ctx context.Context, a *store.Automation, act store.AutomationAction, ev Event) error {
	if s.outbox == nil {
		return fmt.Errorf("no outbound mail configured")
	}
	enqueued := false
	var skipped []string
	err := s.st.Update(ctx, func(tx store.Tx) error {
		enqueued, skipped = false, nil
		it, conv, err := eventItem(tx, ev)
		if err != nil {
			return err
		}
		t, ok, err := templateTx(tx, act.Template)
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("template %q no longer exists", act.Template)
		case !t.Enabled:
			return fmt.Errorf("template %q is disabled: no email sent", act.Template)
		}
		if conv == nil {
			if conv, err = firstConversation(tx, it.ID, store.KindExternal); err != nil {
				return err
			}
		}
		rs, err := s.audience(tx, act.To, it)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return fmt.Errorf("no recipient: the item has no %s", act.To)
		}
		ct, err := templates.Compile(t.template())
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, r := range rs {
			if act.To == ToCustomers && ev.NoAutoAnswer != "" && strings.EqualFold(r.Email, ev.Sender) {
				// Honoured, not a failure: the sender asked for no answer.
				s.log.Info("automation: no automatic answer to the sender", "automation", a.ID, "to", r.Email, "why", ev.NoAutoAnswer)
				continue
			}
			e, err := s.rendered(tx, a, ev, it, conv, r, t.Name, ct)
			if err != nil {
				return err
			}
			reason, err := s.suppressed(tx, e, now)
			if err != nil {
				return err
			}
			if reason != "" {
				skipped = append(skipped, e.Recipient.Email+": "+reason)
				continue
			}
			if _, err := s.outbox.Enqueue(tx, e); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
			if conv != nil {
				if err := tx.PutMessageRef(e.MessageID, store.MessageRef{ConversationID: conv.ID, Sender: e.Recipient.Email}); err != nil {
					return err
				}
			}
			if err := s.recordSent(tx, e, now); err != nil {
				return err
			}
			enqueued = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.kick(enqueued)
	if len(skipped) > 0 {
		return fmt.Errorf("not emailed: %s", strings.Join(skipped, "; "))
	}
	return nil
}

// rendered builds the email of template name (compiled as ct) for r.
func (s *Service) rendered(tx store.Tx, a *store.Automation, ev Event, it *store.Item, conv *store.Conversation, r store.Recipient, name string, ct *templates.Compiled) (*Email, error) {
	out, err := ct.Render(automationData(tx, a, ev, it, conv, r, s.cfg.PublicURL))
	if err != nil {
		return nil, err
	}
	e := &Email{Recipient: r, MessageID: s.newMessageID(), Rendered: out, Template: name, Cause: automationCause(a), FromName: "Bot"}
	if conv != nil {
		e.Conversation = *conv
		if r.ID != 0 {
			e.ReplyTo = s.ReplyAddress(conv.ID, r)
		}
		e.References = s.threadRefs(tx, conv)
		if n := len(e.References); n > 0 {
			e.InReplyTo = e.References[n-1]
		}
	}
	return e, nil
}

// audience resolves a send_email "to": followers (of the item and its
// project), assignees, the customers of the item's external
// conversations, or one address.
func (s *Service) audience(tx store.Tx, to string, it *store.Item) ([]store.Recipient, error) {
	var users []uint64
	switch to {
	case ToFollowers:
		users = slices.Clone(it.Followers)
		if p, err := tx.Project(it.ProjectID); err == nil {
			for _, u := range p.Followers {
				users, _ = store.AddUnique(users, u)
			}
		}
	case ToAssignees:
		users = slices.Clone(it.Assignees)
	case ToCustomers:
		cs, err := tx.Conversations()
		if err != nil {
			return nil, err
		}
		var ids []uint64
		for _, c := range cs {
			if c.ItemID == it.ID && c.Kind == store.KindExternal {
				for _, id := range c.CustomerIDs {
					ids, _ = store.AddUnique(ids, id)
				}
			}
		}
		var out []store.Recipient
		for _, id := range ids {
			c, err := tx.Customer(id)
			if err != nil {
				return nil, err
			}
			out = append(out, store.Recipient{Type: store.KindCustomer, ID: c.ID, Email: c.Email, Name: c.Name})
		}
		return out, nil
	default:
		return []store.Recipient{{Email: to}}, nil
	}
	var out []store.Recipient
	for _, id := range users {
		u, err := tx.User(id)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name})
	}
	return out, nil
}

// itemStatus is an item's status; items stored before statuses existed
// are open.
func itemStatus(it *store.Item) string {
	if it.Status == "" {
		return store.ItemOpen
	}
	return it.Status
}

// emitInbound emits, for a message stored by inbound mail (SMTP or
// IMAP), what the API emits for the same steps: item.created and
// conversation.created when the mail started a conversation (created),
// then message.created, each once (SPEC §9: every source fires them).
func (s *Service) emitInbound(ctx context.Context, id uint64, created bool, noAutoAnswer string) {
	// One read, and none of the message when no automation listens:
	// inbound mail is a hot path.
	var m *store.Message
	var conv *store.Conversation
	err := s.st.View(ctx, func(tx store.Tx) error {
		m, conv = nil, nil
		as, err := tx.Automations()
		if err != nil || !slices.ContainsFunc(as, func(a store.Automation) bool { return a.Enabled && listensInbound(a.Event, created) }) {
			return err
		}
		if m, err = tx.Message(id); err != nil {
			return err
		}
		conv, err = tx.Conversation(m.ConversationID)
		return err
	})
	if err != nil {
		s.log.Error("automations: reading message", "message", id, "err", err)
		return
	}
	if m == nil {
		return
	}
	sender := strings.ToLower(m.Author.Email)
	if created {
		s.emit(ctx, Event{Name: EventItemCreated, ItemID: conv.ItemID, Sender: sender, NoAutoAnswer: noAutoAnswer})
		s.emit(ctx, Event{Name: EventConversationCreated, ItemID: conv.ItemID, ConversationID: conv.ID, Kind: conv.Kind, Sender: sender, NoAutoAnswer: noAutoAnswer})
	}
	s.emit(ctx, Event{Name: EventMessageCreated, ConversationID: m.ConversationID, MessageID: m.ID, AuthorType: m.Author.Type, Kind: m.Kind,
		Sender: sender, NoAutoAnswer: noAutoAnswer})
}

// listensInbound reports whether an automation on event runs for an
// inbound message (created: one that started its conversation).
func listensInbound(event string, created bool) bool {
	return event == EventMessageCreated || (created && (event == EventItemCreated || event == EventConversationCreated))
}
