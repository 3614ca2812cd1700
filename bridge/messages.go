package bridge

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/deskgate/deskgate/store"
)

// MaxBodyBytes bounds a message body posted through the API.
const MaxBodyBytes = 256 << 10

// NewMessage is a message posted through the API.
type NewMessage struct {
	Body        string
	AsBot       bool // post as the bot (admins only)
	Attachments []NewAttachment
}

// PostMessage adds a message by c (or the bot) to conversation id, and in
// the same commit the notifications it causes (SPEC §4).
func (s *Conversations) PostMessage(ctx context.Context, c Caller, id uint64, in NewMessage) (*store.Message, error) {
	body := strings.TrimSpace(in.Body)
	switch {
	case body == "":
		return nil, errorf(KindInvalid, "body: required")
	case len(body) > MaxBodyBytes:
		return nil, errorf(KindInvalid, "body: at most %d bytes", MaxBodyBytes)
	case !utf8.ValidString(body):
		return nil, errorf(KindInvalid, "body: must be UTF-8")
	case in.AsBot && !c.IsAdmin():
		return nil, forbiddenOrNotFound(c, "only an admin may post as the bot")
	}
	atts, data, err := checkAttachments(in.Attachments)
	if err != nil {
		return nil, err
	}
	var m *store.Message
	var ds []store.Delivery
	// commit: concurrent posts share commits. fn may run twice: it sets m
	// and ds afresh each time and allocates ids inside the transaction.
	err = s.st.Update(ctx, func(tx store.Tx) error {
		conv, err := viewConversation(tx, c, id)
		if err != nil {
			return err
		}
		author, err := authorOf(tx, c, in.AsBot)
		if err != nil {
			return err
		}
		m = &store.Message{Author: author, Body: body, Source: store.SourceAPI, Attachments: slices.Clone(atts)}
		if ds, err = s.addMessage(ctx, tx, conv, m, data, nil); err != nil {
			return err
		}
		return s.msgs.queueEvent(tx, Event{Name: EventMessageCreated, ConversationID: m.ConversationID, MessageID: m.ID, AuthorType: m.Author.Type, Kind: m.Kind})
	})
	if err != nil {
		return nil, storeErr(err, "message")
	}
	s.notes.afterCommit(ds)
	s.msgs.kickAutomations()
	return m, nil
}

// authorOf is the author record of caller c (or the bot).
func authorOf(tx store.PeopleTx, c Caller, bot bool) (store.Author, error) {
	switch {
	case bot:
		return store.Author{Type: store.AuthorBot, Name: "Bot"}, nil
	case c.IsCustomer():
		cu, err := tx.Customer(c.ID)
		if err != nil {
			return store.Author{}, err
		}
		return store.Author{Type: store.AuthorCustomer, ID: cu.ID, Email: cu.Email, Name: cu.Name}, nil
	}
	u, err := tx.User(c.ID)
	if err != nil {
		return store.Author{}, err
	}
	return store.Author{Type: store.AuthorUser, ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// addMessage stores m in conv and everything that follows from it in the
// same transaction: the conversation's activity time and the notifications
// of its recipients. Every source (API, SMTP, IMAP) goes through here;
// origin is the email that brought m in (nil for the API).
func (s *Conversations) addMessage(ctx context.Context, tx postingTx, conv *store.Conversation, m *store.Message, data [][]byte, origin *mailOrigin) ([]store.Delivery, error) {
	m.ConversationID = conv.ID
	m.Kind = conv.Kind
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.clock.Now()
	}
	if m.Attachments == nil {
		m.Attachments = []store.Attachment{}
	}
	if err := tx.CreateMessage(m, data); err != nil {
		return nil, err
	}
	conv.LastMessageAt = m.CreatedAt
	if err := tx.PutConversation(conv); err != nil {
		return nil, err
	}
	return s.notes.notifyTx(ctx, tx, conv, m, origin)
}

// Messages returns conversation id's messages, oldest first, if c may see it.
func (s *Conversations) Messages(ctx context.Context, c Caller, id uint64) ([]store.Message, error) {
	var out []store.Message
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := viewConversation(tx, c, id); err != nil {
			return err
		}
		var err error
		out, err = tx.Messages(id)
		return err
	})
	if out == nil {
		out = []store.Message{}
	}
	for i := range out {
		out[i] = messageForCaller(c, out[i])
	}
	return out, storeErr(err, "messages")
}

// Attachment returns an attachment's metadata and bytes, if c may see its message.
func (s *Conversations) Attachment(ctx context.Context, c Caller, msgID, attID uint64) (*store.Attachment, []byte, error) {
	var att *store.Attachment
	var data []byte
	err := s.st.View(ctx, func(tx store.Tx) error {
		m, err := tx.Message(msgID)
		if err != nil {
			return notFound("message", msgID)
		}
		if _, err := viewConversation(tx, c, m.ConversationID); err != nil {
			return notFound("message", msgID)
		}
		for i := range m.Attachments {
			if m.Attachments[i].ID == attID {
				att = &m.Attachments[i]
			}
		}
		if att == nil {
			return notFound("attachment", attID)
		}
		data, err = tx.AttachmentData(attID)
		return err
	})
	return att, data, storeErr(err, "attachment")
}
