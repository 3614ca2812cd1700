package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// Event is something that happened to an item, conversation or message;
// automations whose trigger matches run on it (SPEC §9). The transaction
// that made it queues it in the outbox (queueEvent), and the automation
// worker runs the automations after that commit (automationworker.go), so
// no SMTP, IMAP or API answer waits for them.
type Event struct {
	Name           string `json:"name"`
	ItemID         uint64 `json:"item_id,omitempty"`
	ConversationID uint64 `json:"conversation_id,omitempty"`
	MessageID      uint64 `json:"message_id,omitempty"`
	From           string `json:"from,omitempty"` // item.status_changed
	To             string `json:"to,omitempty"`
	AuthorType     string `json:"author_type,omitempty"` // message.created
	Kind           string `json:"kind,omitempty"`        // the conversation's kind
	// Sender and NoAutoAnswer, for an event an inbound mail caused: its
	// sender's address and, when that sender asked not to be answered by
	// a machine (loopguard.AutoAnswer), why. No send_email to customers
	// goes to that sender then.
	Sender       string `json:"sender,omitempty"`
	NoAutoAnswer string `json:"no_auto_answer,omitempty"`
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

// queueEvent queues ev in the outbox for the automation worker, in tx (the
// transaction that made ev happen), when an enabled automation matches
// it: a change no automation listens to costs the automations read only
// (cached per node on PostgreSQL). What an automation does itself queues
// no event (no loops, SPEC §9). The caller wakes the worker after the
// commit (kickAutomations).
func (s *Messaging) queueEvent(tx eventTx, ev Event) error {
	as, err := tx.Automations()
	if err != nil {
		return err
	}
	_, err = s.queueEventFor(tx, as, ev)
	return err
}

// queueEventFor is queueEvent with the automations as read; queued says
// whether an automation matched and ev was queued.
func (s *Messaging) queueEventFor(tx store.OutboxTx, as []store.Automation, ev Event) (queued bool, err error) {
	if !slices.ContainsFunc(as, func(a store.Automation) bool { return matches(&a, ev) }) {
		return false, nil
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	return true, tx.AddOutboxEvent(&store.OutboxEvent{Type: ev.Name, At: s.clock.Now().UTC(), Data: data}, store.ConsumerAutomations)
}

// kickAutomations wakes this node's automation worker.
func (s *Messaging) kickAutomations() {
	select {
	case s.autoWake <- struct{}{}:
	default:
	}
}

// automationData is what a template used by an automation sees.
func automationData(tx store.WorkTx, a *store.Automation, ev Event, it *store.Item, conv *store.Conversation, r store.Recipient, site string) map[string]any {
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
func eventItem(tx store.WorkTx, ev Event) (*store.Item, *store.Conversation, error) {
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
func firstConversation(tx store.WorkTx, item uint64, kind string) (*store.Conversation, error) {
	cs, err := tx.ItemConversations(item)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].Kind == kind {
			return &cs[i], nil
		}
	}
	return nil, nil
}

// actionResult is what an action did, for after the commit: deliveries to
// publish, whether mail was queued, and a problem that is no failure of
// the transaction (an address suppressed).
type actionResult struct {
	ds       []store.Delivery
	enqueued bool
	problem  error
}

// runActionTx runs one action of automation a on ev in tx. An error fails
// the action: the worker rolls back and runs the event again without it.
func (s *Messaging) runActionTx(ctx context.Context, tx actionTx, a *store.Automation, act store.AutomationAction, ev Event) (actionResult, error) {
	switch act.Type {
	case ActionPostMessage:
		ds, err := s.actPost(ctx, tx, a, act, ev)
		return actionResult{ds: ds}, err
	case ActionSendEmail:
		return s.actEmail(tx, a, act, ev)
	}
	return actionResult{}, fmt.Errorf("unknown action type %q", act.Type)
}

// actPost posts the template's text as the bot in the item's first
// conversation of the action's kind. Its notifications follow SPEC §4;
// its deliveries name the automation.
func (s *Messaging) actPost(ctx context.Context, tx automationPostTx, a *store.Automation, act store.AutomationAction, ev Event) ([]store.Delivery, error) {
	it, evConv, err := eventItem(tx, ev)
	if err != nil {
		return nil, err
	}
	conv, err := firstConversation(tx, it.ID, act.Conversation)
	if err != nil {
		return nil, err
	}
	if conv == nil {
		return nil, fmt.Errorf("item %d has no %s conversation", it.ID, act.Conversation)
	}
	if evConv == nil {
		evConv = conv
	}
	t, ok, err := templateTx(tx, act.Template)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("template %q no longer exists", act.Template)
	case !t.Enabled:
		return nil, fmt.Errorf("template %q is disabled: nothing posted", act.Template)
	}
	r, err := templates.Render(t.template(), automationData(tx, a, ev, it, evConv, store.Recipient{}, s.cfg.PublicURL))
	if err != nil {
		return nil, err
	}
	body := strings.TrimSpace(r.Text)
	if body == "" {
		return nil, fmt.Errorf("template %q rendered an empty text", act.Template)
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("template %q rendered more than %d bytes", act.Template, MaxBodyBytes)
	}
	cause := automationCause(a)
	m := &store.Message{Author: store.Author{Type: store.AuthorBot, Name: "Bot"}, Body: body, Source: store.SourceAPI, Cause: cause}
	ds, err := s.convs.addMessage(ctx, tx, conv, m, nil, nil)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].Detail = "posted by " + cause
		if err := tx.PutDelivery(&ds[i]); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// actEmail renders the action's template for each recipient and queues
// the emails.
func (s *Messaging) actEmail(tx automationEmailTx, a *store.Automation, act store.AutomationAction, ev Event) (actionResult, error) {
	var res actionResult
	if s.outbox == nil {
		return res, fmt.Errorf("no outbound mail configured")
	}
	it, conv, err := eventItem(tx, ev)
	if err != nil {
		return res, err
	}
	t, ok, err := templateTx(tx, act.Template)
	switch {
	case err != nil:
		return res, err
	case !ok:
		return res, fmt.Errorf("template %q no longer exists", act.Template)
	case !t.Enabled:
		return res, fmt.Errorf("template %q is disabled: no email sent", act.Template)
	}
	if conv == nil {
		if conv, err = firstConversation(tx, it.ID, store.KindExternal); err != nil {
			return res, err
		}
	}
	rs, err := s.audience(tx, act.To, it)
	if err != nil {
		return res, err
	}
	if len(rs) == 0 {
		return res, fmt.Errorf("no recipient: the item has no %s", act.To)
	}
	ct, err := templates.Compile(t.template())
	if err != nil {
		return res, err
	}
	now := s.clock.Now()
	var skipped []string
	for _, r := range rs {
		if act.To == ToCustomers && ev.NoAutoAnswer != "" && strings.EqualFold(r.Email, ev.Sender) {
			// Honoured, not a failure: the sender asked for no answer.
			s.log.Info("automation: no automatic answer to the sender", "automation", a.ID, "to", r.Email, "why", ev.NoAutoAnswer)
			continue
		}
		e, err := s.rendered(tx, a, ev, it, conv, r, t.Name, ct)
		if err != nil {
			return res, err
		}
		reason, err := s.suppressed(tx, e, now)
		if err != nil {
			return res, err
		}
		if reason != "" {
			skipped = append(skipped, e.Recipient.Email+": "+reason)
			continue
		}
		if _, err := s.outbox.Enqueue(tx, e); err != nil {
			return res, fmt.Errorf("enqueue: %w", err)
		}
		if conv != nil {
			if err := tx.PutMessageRef(e.MessageID, store.MessageRef{ConversationID: conv.ID, Sender: e.Recipient.Email}); err != nil {
				return res, err
			}
		}
		if err := s.recordSent(tx, e, now); err != nil {
			return res, err
		}
		res.enqueued = true
	}
	if len(skipped) > 0 {
		res.problem = fmt.Errorf("not emailed: %s", strings.Join(skipped, "; "))
	}
	return res, nil
}

// rendered builds the email of template name (compiled as ct) for r.
func (s *Messaging) rendered(tx conversationTx, a *store.Automation, ev Event, it *store.Item, conv *store.Conversation, r store.Recipient, name string, ct *templates.Compiled) (*Email, error) {
	out, err := ct.Render(automationData(tx, a, ev, it, conv, r, s.cfg.PublicURL))
	if err != nil {
		return nil, err
	}
	e := &Email{Recipient: r, MessageID: s.addrs.newMessageID(), Rendered: out, Template: name, Cause: automationCause(a), FromName: "Bot"}
	if conv != nil {
		e.Conversation = *conv
		if r.ID != 0 {
			e.ReplyTo = s.addrs.ReplyAddress(conv.ID, r)
		}
		e.References = s.addrs.threadRefs(tx, conv)
		if n := len(e.References); n > 0 {
			e.InReplyTo = e.References[n-1]
		}
	}
	return e, nil
}

// audience resolves a send_email "to": followers (of the item and its
// project), assignees, the customers of the item's external
// conversations, or one address.
func (s *Messaging) audience(tx workPeopleTx, to string, it *store.Item) ([]store.Recipient, error) {
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
		cs, err := tx.ItemConversations(it.ID)
		if err != nil {
			return nil, err
		}
		var ids []uint64
		for _, c := range cs {
			if c.Kind == store.KindExternal {
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

// queueInbound queues, for a message stored by inbound mail (SMTP or
// IMAP), in its transaction, what the API queues for the same steps:
// item.created and conversation.created when the mail started a
// conversation (created), then message.created, each once (SPEC §9: every
// source fires them). Each carries the sender and whether it may be
// answered automatically. queued says whether any was: the caller wakes
// the automation worker after the commit only then (a wake-up costs the
// worker a read transaction, per mail on a busy MX).
func (s *Messaging) queueInbound(tx eventQueueTx, id uint64, created bool, noAutoAnswer string) (queued bool, err error) {
	// No read of the message when no automation listens: inbound mail is
	// a hot path.
	as, err := tx.Automations()
	if err != nil || !slices.ContainsFunc(as, func(a store.Automation) bool { return a.Enabled && listensInbound(a.Event, created) }) {
		return false, err
	}
	m, err := tx.Message(id)
	if err != nil {
		return false, err
	}
	conv, err := tx.Conversation(m.ConversationID)
	if err != nil {
		return false, err
	}
	sender := strings.ToLower(m.Author.Email)
	evs := []Event{{Name: EventMessageCreated, ConversationID: m.ConversationID, MessageID: m.ID, AuthorType: m.Author.Type, Kind: m.Kind,
		Sender: sender, NoAutoAnswer: noAutoAnswer}}
	if created {
		evs = append([]Event{
			{Name: EventItemCreated, ItemID: conv.ItemID, Sender: sender, NoAutoAnswer: noAutoAnswer},
			{Name: EventConversationCreated, ItemID: conv.ItemID, ConversationID: conv.ID, Kind: conv.Kind, Sender: sender, NoAutoAnswer: noAutoAnswer},
		}, evs...)
	}
	for _, ev := range evs {
		q, err := s.queueEventFor(tx, as, ev)
		if err != nil {
			return false, err
		}
		queued = queued || q
	}
	return queued, nil
}

// listensInbound reports whether an automation on event runs for an
// inbound message (created: one that started its conversation).
func listensInbound(event string, created bool) bool {
	return event == EventMessageCreated || (created && (event == EventItemCreated || event == EventConversationCreated))
}
