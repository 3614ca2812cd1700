package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateProject stores p with a new id.
func (t *Tx) CreateProject(p *store.Project) error {
	return create(t, bProjects, &p.ID, &p.CreatedAt, p)
}

// Project returns project id or ErrNotFound.
func (t *Tx) Project(id uint64) (*store.Project, error) {
	var p store.Project
	return &p, get(t.b(bProjects), id, &p, "project")
}

// PutProject overwrites an existing project.
func (t *Tx) PutProject(p *store.Project) error {
	return putJSON(t.b(bProjects), u64(p.ID), p)
}

// Projects returns every project, by id.
func (t *Tx) Projects() ([]store.Project, error) { return all[store.Project](t.b(bProjects)) }

// CreateItem stores it with a new id.
func (t *Tx) CreateItem(it *store.Item) error {
	return create(t, bItems, &it.ID, &it.CreatedAt, it)
}

// Item returns item id or ErrNotFound.
func (t *Tx) Item(id uint64) (*store.Item, error) {
	var it store.Item
	return &it, get(t.b(bItems), id, &it, "item")
}

// PutItem overwrites an existing item.
func (t *Tx) PutItem(it *store.Item) error {
	return putJSON(t.b(bItems), u64(it.ID), it)
}

// CreateConversation stores c with a new id.
func (t *Tx) CreateConversation(c *store.Conversation) error {
	if err := create(t, bConversations, &c.ID, &c.CreatedAt, c); err != nil {
		return err
	}
	if err := t.b(bConvByActivity).Put(convActivityKey(c), []byte{}); err != nil {
		return err
	}
	return t.b(bConvByItem).Put(convByItemKey(c.ItemID, c.ID), []byte{})
}

// convActivityKey is bConvByActivity's key for c.
func convActivityKey(c *store.Conversation) []byte {
	return append(u64(uint64(store.ConversationActivity(c))), u64(c.ID)...)
}

// convByItemKey is bConvByItem's key for conversation conv of item.
func convByItemKey(item, conv uint64) []byte {
	return append(u64(item), u64(conv)...)
}

// Conversation returns conversation id or ErrNotFound.
func (t *Tx) Conversation(id uint64) (*store.Conversation, error) {
	var c store.Conversation
	return &c, get(t.b(bConversations), id, &c, "conversation")
}

// PutConversation overwrites an existing conversation.
func (t *Tx) PutConversation(c *store.Conversation) error {
	old, err := t.Conversation(c.ID)
	if err != nil {
		return err
	}
	if k := convActivityKey(c); !bytes.Equal(k, convActivityKey(old)) {
		idx := t.b(bConvByActivity)
		if err := idx.Delete(convActivityKey(old)); err != nil {
			return err
		}
		if err := idx.Put(k, []byte{}); err != nil {
			return err
		}
	}
	return putJSON(t.b(bConversations), u64(c.ID), c)
}

// ConversationsByActivity returns up to limit conversations, most
// recently active first, after after (nil: from the newest), from
// bConvByActivity read backwards.
func (t *Tx) ConversationsByActivity(after *store.Conversation, limit int) ([]store.Conversation, error) {
	c := t.b(bConvByActivity).Cursor()
	var k []byte
	if after == nil {
		k, _ = c.Last()
	} else {
		from := convActivityKey(after)
		if k, _ = c.Seek(from); k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, from) >= 0 {
			k, _ = c.Prev()
		}
	}
	var out []store.Conversation
	for ; k != nil && len(out) < limit; k, _ = c.Prev() {
		conv, err := t.Conversation(binary.BigEndian.Uint64(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, *conv)
	}
	return out, nil
}

// Conversations returns every conversation, by id.
func (t *Tx) Conversations() ([]store.Conversation, error) {
	return all[store.Conversation](t.b(bConversations))
}

// indexConversationItems fills bConvByItem from the conversations (a
// file written before the index existed).
func (t *Tx) indexConversationItems() error {
	convs, err := t.Conversations()
	if err != nil {
		return err
	}
	idx := t.b(bConvByItem)
	for _, c := range convs {
		if err := idx.Put(convByItemKey(c.ItemID, c.ID), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// indexConversationActivity fills bConvByActivity from the conversations
// (a file written before the index existed).
func (t *Tx) indexConversationActivity() error {
	convs, err := t.Conversations()
	if err != nil {
		return err
	}
	idx := t.b(bConvByActivity)
	for i := range convs {
		if err := idx.Put(convActivityKey(&convs[i]), []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// ItemConversations returns item's conversations, by id, from bConvByItem.
func (t *Tx) ItemConversations(item uint64) ([]store.Conversation, error) {
	var out []store.Conversation
	prefix := u64(item)
	c := t.b(bConvByItem).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		conv, err := t.Conversation(binary.BigEndian.Uint64(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, *conv)
	}
	return out, nil
}

// create allocates an id in bucket name, stamps the creation time and stores v.
func create(t *Tx, name []byte, id *uint64, at *time.Time, v any) error {
	b := t.b(name)
	n, err := nextID(b)
	if err != nil {
		return err
	}
	*id = n
	if at.IsZero() {
		*at = time.Now().UTC()
	}
	if err := putJSON(b, u64(n), v); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}
