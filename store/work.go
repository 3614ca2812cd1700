package store

import (
	"fmt"
	"slices"
	"time"
)

// Conversation kinds.
const (
	KindInternal = "internal" // staff only
	KindExternal = "external" // staff and the item's customers
)

// Project groups items; its followers follow every conversation in it.
type Project struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Followers []uint64  `json:"followers"` // user ids
	CreatedAt time.Time `json:"created_at"`
}

// Item is a ticket or task in a project.
type Item struct {
	ID        uint64    `json:"id"`
	ProjectID uint64    `json:"project_id"`
	Title     string    `json:"title"`
	Followers []uint64  `json:"followers"` // user ids
	Assignees []uint64  `json:"assignees"` // user ids
	CreatedAt time.Time `json:"created_at"`
}

// Conversation belongs to an item; its kind decides who may see it.
type Conversation struct {
	ID          uint64    `json:"id"`
	ItemID      uint64    `json:"item_id"`
	ProjectID   uint64    `json:"project_id"`
	Kind        string    `json:"kind"` // KindInternal or KindExternal
	Subject     string    `json:"subject"`
	Followers   []uint64  `json:"followers"`    // user ids
	CustomerIDs []uint64  `json:"customer_ids"` // only for external conversations
	CreatedAt   time.Time `json:"created_at"`
	// LastMessageAt is when the newest message was posted (zero: none yet).
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
}

// AddUnique appends id to ids unless present; it reports whether it added.
func AddUnique(ids []uint64, id uint64) ([]uint64, bool) {
	if slices.Contains(ids, id) {
		return ids, false
	}
	return append(ids, id), true
}

// CreateProject stores p with a new id.
func (t *Tx) CreateProject(p *Project) error {
	return create(t, bProjects, &p.ID, &p.CreatedAt, p)
}

// Project returns project id or ErrNotFound.
func (t *Tx) Project(id uint64) (*Project, error) {
	var p Project
	return &p, get(t.b(bProjects), id, &p, "project")
}

// PutProject overwrites an existing project.
func (t *Tx) PutProject(p *Project) error { return putJSON(t.b(bProjects), u64(p.ID), p) }

// Projects returns every project, by id.
func (t *Tx) Projects() ([]Project, error) { return all[Project](t.b(bProjects)) }

// CreateItem stores it with a new id.
func (t *Tx) CreateItem(it *Item) error { return create(t, bItems, &it.ID, &it.CreatedAt, it) }

// Item returns item id or ErrNotFound.
func (t *Tx) Item(id uint64) (*Item, error) {
	var it Item
	return &it, get(t.b(bItems), id, &it, "item")
}

// PutItem overwrites an existing item.
func (t *Tx) PutItem(it *Item) error { return putJSON(t.b(bItems), u64(it.ID), it) }

// CreateConversation stores c with a new id.
func (t *Tx) CreateConversation(c *Conversation) error {
	return create(t, bConversations, &c.ID, &c.CreatedAt, c)
}

// Conversation returns conversation id or ErrNotFound.
func (t *Tx) Conversation(id uint64) (*Conversation, error) {
	var c Conversation
	return &c, get(t.b(bConversations), id, &c, "conversation")
}

// PutConversation overwrites an existing conversation.
func (t *Tx) PutConversation(c *Conversation) error {
	return putJSON(t.b(bConversations), u64(c.ID), c)
}

// Conversations returns every conversation, by id.
func (t *Tx) Conversations() ([]Conversation, error) {
	return all[Conversation](t.b(bConversations))
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
