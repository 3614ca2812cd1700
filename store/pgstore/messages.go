package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateMessage stores m with a new id and indexes it under its
// conversation; attachment contents in data get ids too.
func (t *Tx) CreateMessage(m *store.Message, data [][]byte) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	var id int64
	if err := t.queryRow(`SELECT nextval(pg_get_serial_sequence('messages', 'id'))`).Scan(&id); err != nil {
		return err
	}
	m.ID = uint64(id)
	for i := range m.Attachments {
		var content []byte
		if i < len(data) {
			content = data[i]
		}
		if content == nil {
			content = []byte{}
		}
		var aid int64
		if err := t.queryRow(`INSERT INTO attachments (content) VALUES ($1) RETURNING id`, content).Scan(&aid); err != nil {
			return fmt.Errorf("put attachment: %w", err)
		}
		m.Attachments[i].ID = uint64(aid)
	}
	doc, err := mustJSON(m)
	if err != nil {
		return err
	}
	t.later(`INSERT INTO messages (id, conversation_id, data) VALUES ($1, $2, $3)`, id, int64(m.ConversationID), doc)
	return nil
}

// Message returns message id or ErrNotFound.
func (t *Tx) Message(id uint64) (*store.Message, error) {
	var m store.Message
	return &m, t.get(&m, "message", id, `SELECT data FROM messages WHERE id = $1`)
}

// PutMessage overwrites an existing message.
func (t *Tx) PutMessage(m *store.Message) error {
	doc, err := mustJSON(m)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE messages SET conversation_id = $2, data = $3 WHERE id = $1`, int64(m.ID), int64(m.ConversationID), doc)
	return err
}

// AttachmentData returns attachment id's bytes.
func (t *Tx) AttachmentData(id uint64) ([]byte, error) {
	b, ok, err := t.bytesOf(`SELECT content FROM attachments WHERE id = $1`, int64(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("attachment %d: %w", id, store.ErrNotFound)
	}
	return b, nil
}

// MessageIDs returns the ids of conversation conv's messages, oldest first.
func (t *Tx) MessageIDs(conv uint64) ([]uint64, error) {
	return t.ids(`SELECT id FROM messages WHERE conversation_id = $1 ORDER BY id`, int64(conv))
}

// NewestMessageIDs returns the ids of conv's newest n messages, newest first.
func (t *Tx) NewestMessageIDs(conv uint64, n int) ([]uint64, error) {
	if n <= 0 {
		return []uint64{}, nil
	}
	return t.ids(`SELECT id FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2`, int64(conv), n)
}

// Messages returns conversation conv's messages, oldest first.
func (t *Tx) Messages(conv uint64) ([]store.Message, error) {
	return allJSON[store.Message](t, `SELECT data FROM messages WHERE conversation_id = $1 ORDER BY id`, int64(conv))
}

// PutMessageRef indexes an email Message-ID (without <>).
func (t *Tx) PutMessageRef(emailID string, r store.MessageRef) error {
	if emailID == "" {
		return nil
	}
	doc, err := mustJSON(r)
	if err != nil {
		return err
	}
	t.later(`INSERT INTO message_refs (email_id, data) VALUES ($1, $2)
		ON CONFLICT (email_id) DO UPDATE SET data = EXCLUDED.data`, emailID, doc)
	return nil
}

// MessageRef looks an email Message-ID up in the index.
func (t *Tx) MessageRef(emailID string) (*store.MessageRef, error) {
	var r store.MessageRef
	ok, err := t.getJSON(&r, `SELECT data FROM message_refs WHERE email_id = $1`, emailID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &r, nil
}
