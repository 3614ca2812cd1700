package store

import (
	"bytes"
	"fmt"
	"time"
)

// Author types and message sources (SPEC §7).
const (
	AuthorUser     = "user"
	AuthorCustomer = "customer"
	AuthorBot      = "bot"

	SourceAPI  = "api"
	SourceSMTP = "smtp"
	SourceIMAP = "imap"
)

// Author is who wrote a message, as it was when the message was posted.
type Author struct {
	Type  string `json:"type"` // AuthorUser, AuthorCustomer or AuthorBot
	ID    uint64 `json:"id"`   // 0 for the bot
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Attachment describes a file of a message; its bytes are stored apart.
type Attachment struct {
	ID          uint64 `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	ContentID   string `json:"content_id,omitempty"` // for inline images
	Inline      bool   `json:"inline,omitempty"`
}

// Message is one message of a conversation. Message ids grow with time, so
// within a conversation a smaller id is an earlier message.
type Message struct {
	ID             uint64       `json:"id"`
	ConversationID uint64       `json:"conversation_id"`
	Kind           string       `json:"kind"` // the conversation's kind
	Author         Author       `json:"author"`
	Body           string       `json:"body"`      // the new text only
	HTML           string       `json:"html"`      // sanitized HTML of an email, "" otherwise
	FullText       string       `json:"full_text"` // an email's whole text, quotes included
	Attachments    []Attachment `json:"attachments"`
	Source         string       `json:"source"` // SourceAPI, SourceSMTP or SourceIMAP
	// EmailMessageID is the Message-ID of the email this message came in
	// as (without <>), or the one deskgate gives it when it is emailed.
	EmailMessageID string    `json:"email_message_id"`
	CreatedAt      time.Time `json:"created_at"`
	// Unverified: an email whose From could not be proven (it fails
	// DMARC, or is not the recipient of the reply token it used): the
	// author is who it claims to be, unconfirmed (SPEC §12).
	Unverified bool `json:"unverified"`
}

// CreateMessage stores m with a new id and indexes it under its conversation.
// Attachment contents in data (same order as m.Attachments) get ids too.
func (t *Tx) CreateMessage(m *Message, data [][]byte) error {
	if err := create(t, bMessages, &m.ID, &m.CreatedAt, m); err != nil {
		return err
	}
	for i := range m.Attachments {
		id, err := nextID(t.b(bAttachments))
		if err != nil {
			return err
		}
		m.Attachments[i].ID = id
		if i < len(data) {
			if err := t.b(bAttachments).Put(u64(id), data[i]); err != nil {
				return fmt.Errorf("put attachment: %w", err)
			}
		}
	}
	if len(m.Attachments) > 0 {
		if err := putJSON(t.b(bMessages), u64(m.ID), m); err != nil {
			return fmt.Errorf("put message: %w", err)
		}
	}
	if err := t.b(bConvMessages).Put(pair(m.ConversationID, m.ID), nil); err != nil {
		return fmt.Errorf("index message: %w", err)
	}
	return nil
}

// Message returns message id or ErrNotFound.
func (t *Tx) Message(id uint64) (*Message, error) {
	var m Message
	return &m, get(t.b(bMessages), id, &m, "message")
}

// PutMessage overwrites an existing message.
func (t *Tx) PutMessage(m *Message) error { return putJSON(t.b(bMessages), u64(m.ID), m) }

// AttachmentData returns a copy of attachment id's bytes.
func (t *Tx) AttachmentData(id uint64) ([]byte, error) {
	v := t.b(bAttachments).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("attachment %d: %w", id, ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// MessageIDs returns the ids of conversation conv's messages, oldest first.
func (t *Tx) MessageIDs(conv uint64) []uint64 {
	var ids []uint64
	c := t.b(bConvMessages).Cursor()
	prefix := u64(conv)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, decodeU64(k[8:]))
	}
	return ids
}

// Messages returns conversation conv's messages, oldest first.
func (t *Tx) Messages(conv uint64) ([]Message, error) {
	ids := t.MessageIDs(conv)
	out := make([]Message, 0, len(ids))
	for _, id := range ids {
		m, err := t.Message(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// MessageRef is what the Message-ID index says about an email Message-ID:
// which conversation and message it belongs to and who sent it, so a reused
// Message-ID from another sender never merges into someone else's thread.
type MessageRef struct {
	ConversationID uint64 `json:"conversation_id"`
	MessageID      uint64 `json:"message_id,omitempty"`
	// Sender is the address that sent it (lower-cased); for emails deskgate
	// sent, the recipient it was sent to.
	Sender string `json:"sender"`
}

// PutMessageRef indexes an email Message-ID (without <>).
func (t *Tx) PutMessageRef(emailID string, r MessageRef) error {
	if emailID == "" {
		return nil
	}
	return putJSON(t.b(bMsgIDs), []byte(emailID), r)
}

// MessageRef looks an email Message-ID up in the index.
func (t *Tx) MessageRef(emailID string) (*MessageRef, error) {
	var r MessageRef
	ok, err := getJSON(t.b(bMsgIDs), []byte(emailID), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &r, nil
}
