package bridge

import (
	"context"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// NewExternal is what StartConversation needs: who to write to and what.
type NewExternal struct {
	CustomerEmail string
	CustomerName  string // used when the customer is new
	Subject       string
	Body          string
	Attachments   []NewAttachment
}

// StartConversation starts an external conversation with a customer (found
// by address, or created) on a new item of the Inbox project, as mail to
// support@ would, and posts staff caller c's first message in it: the
// customer gets it by email (SPEC §5) and replies thread back. c follows
// the conversation.
func (s *Conversations) StartConversation(ctx context.Context, c Caller, in NewExternal) (*store.Conversation, *store.Message, error) {
	if !c.IsStaff() {
		return nil, nil, forbiddenOrNotFound(c, "only staff may start conversations")
	}
	addr := strings.TrimSpace(in.CustomerEmail)
	subject := strings.TrimSpace(in.Subject)
	switch {
	case !validEmail(addr):
		return nil, nil, errorf(KindInvalid, "customer_email: a valid address is required")
	case s.addrs.reservedAddress(addr):
		return nil, nil, errorf(KindInvalid, "customer_email: %s is one of deskgate's own addresses", store.NormalizeEmail(addr))
	case subject == "":
		return nil, nil, errorf(KindInvalid, "subject: required")
	case len(subject) > maxSubject:
		return nil, nil, errorf(KindInvalid, "subject: at most %d bytes", maxSubject)
	case strings.TrimSpace(in.Body) == "":
		return nil, nil, errorf(KindInvalid, "body: required")
	}
	var conv *store.Conversation
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.UserByEmail(addr); err == nil {
			return errorf(KindInvalid, "customer_email: %s belongs to a user; write to colleagues in an internal conversation", store.NormalizeEmail(addr))
		}
		now := s.clock.Now()
		cu, err := tx.CustomerByEmail(addr)
		if err != nil {
			cu = &store.Customer{Email: addr, Name: strings.TrimSpace(in.CustomerName), CreatedAt: now}
			if err := tx.CreateCustomer(cu); err != nil {
				return err
			}
		}
		proj, err := inboxProject(tx, &prepared{now: now})
		if err != nil {
			return err
		}
		if ok, err := userMayViewProject(tx, c, proj); err != nil || !ok {
			return errorf(KindForbidden, "you may not see the %s project, where conversations with customers start", InboxProject)
		}
		it := &store.Item{ProjectID: proj.ID, Title: subject, Status: store.ItemOpen, Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: now}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		conv = &store.Conversation{ItemID: it.ID, ProjectID: proj.ID, Kind: store.KindExternal, Subject: subject,
			Followers: []uint64{c.ID}, CustomerIDs: []uint64{cu.ID}, CreatedAt: now}
		if err := tx.CreateConversation(conv); err != nil {
			return err
		}
		return s.msgs.queueEvent(tx, Event{Name: EventConversationCreated, ItemID: conv.ItemID, ConversationID: conv.ID, Kind: conv.Kind})
	})
	if err != nil {
		return nil, nil, storeErr(err, "conversation")
	}
	s.msgs.kickAutomations()
	m, err := s.PostMessage(ctx, c, conv.ID, NewMessage{Body: in.Body, Attachments: in.Attachments})
	if err != nil {
		return conv, nil, err
	}
	conv.LastMessageAt = m.CreatedAt
	return conv, m, nil
}
