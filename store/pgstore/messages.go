package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateMessage stores m with a new id and indexes it under its
// conversation; attachment contents in data get ids too. One statement
// (the id goes into the row and its document together), and one more for
// all the attachments when there are any.
func (t *Tx) CreateMessage(m *store.Message, data [][]byte) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	if len(m.Attachments) > 0 {
		contents := make([][]byte, len(m.Attachments))
		for i := range m.Attachments {
			if i < len(data) {
				contents[i] = data[i]
			}
			if contents[i] == nil {
				contents[i] = []byte{}
			}
		}
		ids, err := t.ids(`INSERT INTO attachments (id, content)
			SELECT nextval('attachments_id_seq'), c FROM unnest($1::bytea[]) WITH ORDINALITY AS u(c, i) ORDER BY i
			RETURNING id`, contents)
		if err != nil {
			return fmt.Errorf("put attachments: %w", err)
		}
		if len(ids) != len(contents) {
			return fmt.Errorf("put attachments: %d ids for %d", len(ids), len(contents))
		}
		// A volatile target list is evaluated after ORDER BY, and
		// RETURNING follows the insertion order: ids[i] is content i's.
		// Growing ids check it.
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				return fmt.Errorf("put attachments: ids out of order")
			}
		}
		for i := range m.Attachments {
			m.Attachments[i].ID = ids[i]
		}
	}
	if id, ok := t.takeID("messages"); ok {
		// Its id drawn ahead (ReserveIDs): a blind write.
		m.ID = uint64(id)
		doc, err := mustJSON(m)
		if err != nil {
			return err
		}
		t.queueNew("messages", id, newRow{conv: int64(m.ConversationID), doc: doc})
		return nil
	}
	m.ID = 0
	doc, err := mustJSON(m)
	if err != nil {
		return err
	}
	var id int64
	err = t.queryRow(`INSERT INTO messages (id, conversation_id, data)
		SELECT n.id, $2, jsonb_set($1::jsonb, '{id}', to_jsonb(n.id)) FROM (SELECT nextval('messages_id_seq') AS id) n
		RETURNING id`, doc, int64(m.ConversationID)).Scan(&id)
	if err != nil {
		return err
	}
	m.ID = uint64(id)
	return nil
}

// Message returns message id or ErrNotFound.
func (t *Tx) Message(id uint64) (*store.Message, error) {
	if m, ok, err := t.batchMessage(id); ok || err != nil {
		return m, err
	}
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
	if ids, ok, err := t.batchNewest(conv, n); ok || err != nil {
		return ids, err
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
	t.queueRef(emailID, doc)
	t.memoRef(emailID, &r)
	return nil
}

// MessageRef looks an email Message-ID up in the index.
// A transaction reads each Message-ID once: threading, the duplicate check
// and indexing the new message all ask.
func (t *Tx) MessageRef(emailID string) (*store.MessageRef, error) {
	if r, ok := t.refs[emailID]; ok {
		if r == nil {
			return nil, store.ErrNotFound
		}
		c := *r
		return &c, nil
	}
	var r store.MessageRef
	ok, err := t.getJSON(&r, `SELECT data FROM message_refs WHERE email_id = $1`, emailID)
	if err != nil {
		return nil, err
	}
	if !ok {
		t.memoRef(emailID, nil)
		return nil, store.ErrNotFound
	}
	t.memoRef(emailID, &r)
	return &r, nil
}

// memoRef remembers what the transaction knows of emailID (nil: absent).
func (t *Tx) memoRef(emailID string, r *store.MessageRef) {
	if t.refs == nil {
		t.refs = map[string]*store.MessageRef{}
	}
	if r != nil {
		c := *r
		r = &c
	}
	t.refs[emailID] = r
}
