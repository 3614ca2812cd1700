package boltstore

import (
	"bytes"
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// CreateMessage stores m with a new id and indexes it under its conversation.
// Attachment contents in data (same order as m.Attachments) get ids too.
func (t *Tx) CreateMessage(m *store.Message, data [][]byte) error {
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
func (t *Tx) Message(id uint64) (*store.Message, error) {
	var m store.Message
	return &m, get(t.b(bMessages), id, &m, "message")
}

// PutMessage overwrites an existing message.
func (t *Tx) PutMessage(m *store.Message) error {
	return putJSON(t.b(bMessages), u64(m.ID), m)
}

// AttachmentData returns a copy of attachment id's bytes.
func (t *Tx) AttachmentData(id uint64) ([]byte, error) {
	v := t.b(bAttachments).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("attachment %d: %w", id, store.ErrNotFound)
	}
	return bytes.Clone(v), nil
}

// MessageIDs returns the ids of conversation conv's messages, oldest first.
func (t *Tx) MessageIDs(conv uint64) ([]uint64, error) { return t.messageIDs(conv), nil }

func (t *Tx) messageIDs(conv uint64) []uint64 {
	var ids []uint64
	c := t.b(bConvMessages).Cursor()
	prefix := u64(conv)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, decodeU64(k[8:]))
	}
	return ids
}

// Messages returns conversation conv's messages, oldest first.
func (t *Tx) Messages(conv uint64) ([]store.Message, error) {
	ids := t.messageIDs(conv)
	out := make([]store.Message, 0, len(ids))
	for _, id := range ids {
		m, err := t.Message(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// PutMessageRef indexes an email Message-ID (without <>).
func (t *Tx) PutMessageRef(emailID string, r store.MessageRef) error {
	if emailID == "" {
		return nil
	}
	return putJSON(t.b(bMsgIDs), []byte(emailID), r)
}

// MessageRef looks an email Message-ID up in the index.
func (t *Tx) MessageRef(emailID string) (*store.MessageRef, error) {
	var r store.MessageRef
	ok, err := getJSON(t.b(bMsgIDs), []byte(emailID), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &r, nil
}
