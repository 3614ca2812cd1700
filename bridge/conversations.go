package bridge

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// NewConversation is what CreateConversation needs.
type NewConversation struct {
	ItemID      uint64
	Kind        string // store.KindInternal or store.KindExternal
	Subject     string
	CustomerIDs []uint64 // external only
}

// CreateConversation adds a conversation to an item the caller may see.
func (s *Conversations) CreateConversation(ctx context.Context, c Caller, in NewConversation) (*store.Conversation, error) {
	if !c.IsStaff() {
		return nil, forbiddenOrNotFound(c, "only staff may create conversations")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	conv := &store.Conversation{
		ItemID: in.ItemID, Kind: in.Kind, Subject: strings.TrimSpace(in.Subject),
		Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: s.clock.Now(),
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		it, err := viewItem(tx, c, in.ItemID)
		if err != nil {
			return errorf(KindInvalid, "item_id: no item %d", in.ItemID)
		}
		conv.ProjectID = it.ProjectID
		for _, id := range in.CustomerIDs {
			if _, err := tx.Customer(id); err != nil {
				return errorf(KindInvalid, "customer_ids: no customer %d", id)
			}
			conv.CustomerIDs, _ = store.AddUnique(conv.CustomerIDs, id)
		}
		if err := tx.CreateConversation(conv); err != nil {
			return err
		}
		return s.msgs.queueEvent(tx, Event{Name: EventConversationCreated, ItemID: conv.ItemID, ConversationID: conv.ID, Kind: conv.Kind})
	})
	if err != nil {
		return nil, storeErr(err, "conversation")
	}
	s.msgs.kickAutomations()
	return conv, nil
}

func (in NewConversation) validate() error {
	switch {
	case in.ItemID == 0:
		return errorf(KindInvalid, "item_id: required")
	case in.Kind != store.KindInternal && in.Kind != store.KindExternal:
		return errorf(KindInvalid, "kind: must be internal or external")
	case in.Kind == store.KindInternal && len(in.CustomerIDs) > 0:
		return errorf(KindInvalid, "customer_ids: an internal conversation has no customers")
	case len(in.Subject) > 998:
		return errorf(KindInvalid, "subject: at most 998 bytes")
	}
	return nil
}

// Conversation returns conversation id if c may see it.
func (s *Conversations) Conversation(ctx context.Context, c Caller, id uint64) (*store.Conversation, error) {
	var conv *store.Conversation
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		conv, err = viewConversation(tx, c, id)
		return err
	})
	if err == nil {
		v := forCaller(c, *conv)
		conv = &v
	}
	return conv, storeErr(err, "conversation")
}

// Conversation list tabs (SPEC §7).
const (
	TabAll           = "all"
	TabFromCustomers = "from_customers" // external conversations
	TabInternal      = "internal"
)

// ListConversations returns the conversations c may see in tab, most
// recently active first.
func (s *Conversations) ListConversations(ctx context.Context, c Caller, tab string) ([]store.Conversation, error) {
	if tab == "" {
		tab = TabAll
	}
	if tab != TabAll && tab != TabFromCustomers && tab != TabInternal {
		return nil, errorf(KindInvalid, "tab: must be all, from_customers or internal")
	}
	out := []store.Conversation{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		hide, err := newCustomerFilter(tx, c)
		if err != nil {
			return err
		}
		convs, err := tx.Conversations()
		if err != nil {
			return err
		}
		for i := range convs {
			conv := &convs[i]
			if (tab == TabFromCustomers && conv.Kind != store.KindExternal) ||
				(tab == TabInternal && conv.Kind != store.KindInternal) || hide.hides(conv.Kind) {
				continue
			}
			ok, err := mayViewConversation(tx, c, conv)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, forCaller(c, *conv))
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b store.Conversation) int {
		return activity(b).Compare(activity(a))
	})
	return out, storeErr(err, "conversations")
}

// AddConversationFollower makes user follow conversation id.
func (s *Conversations) AddConversationFollower(ctx context.Context, c Caller, id, user uint64) error {
	if err := mayActForUser(c, user); err != nil {
		return err
	}
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error {
		conv, err := viewConversation(tx, c, id)
		if err != nil {
			return err
		}
		if err := requireUsers(tx, "user_id", user); err != nil {
			return err
		}
		var added bool
		if conv.Followers, added = store.AddUnique(conv.Followers, user); !added {
			return nil
		}
		return tx.PutConversation(conv)
	}), "conversation")
}

// activity is when a conversation last changed, for sorting lists.
func activity(c store.Conversation) time.Time { return c.ActiveAt() }

// RemoveConversationFollower makes user stop following conversation id
// directly (following its item or project, or being assigned, stays).
func (s *Conversations) RemoveConversationFollower(ctx context.Context, c Caller, id, user uint64) error {
	if err := mayActForUser(c, user); err != nil {
		return err
	}
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error {
		conv, err := viewConversation(tx, c, id)
		if err != nil {
			return err
		}
		i := slices.Index(conv.Followers, user)
		if i < 0 {
			return nil
		}
		conv.Followers = slices.Delete(conv.Followers, i, i+1)
		return tx.PutConversation(conv)
	}), "conversation")
}
