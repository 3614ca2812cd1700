package pgstore

import (
	"time"

	"github.com/deskgate/deskgate/store"
)

// create inserts a record of table with a new id, stamping the creation
// time, and stores v (which now carries the id).
func (t *Tx) create(table string, id *uint64, at *time.Time, v any) error {
	if at.IsZero() {
		*at = time.Now().UTC()
	}
	data, err := mustJSON(v)
	if err != nil {
		return err
	}
	// One statement: the new id goes into the row and into its document.
	var n int64
	err = t.queryRow(`WITH n AS (SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) AS id)
		INSERT INTO `+table+` (id, data) SELECT id, jsonb_set($1::jsonb, '{id}', to_jsonb(id)) FROM n
		RETURNING id`, data).Scan(&n)
	if err != nil {
		return err
	}
	*id = uint64(n)
	return nil
}

// CreateProject stores p with a new id.
func (t *Tx) CreateProject(p *store.Project) error {
	return t.create("projects", &p.ID, &p.CreatedAt, p)
}

// Project returns project id or ErrNotFound.
func (t *Tx) Project(id uint64) (*store.Project, error) {
	var p store.Project
	return &p, t.get(&p, "project", id, `SELECT data FROM projects WHERE id = $1`)
}

// PutProject overwrites an existing project.
func (t *Tx) PutProject(p *store.Project) error {
	return t.putJSON(`UPDATE projects SET data = $2 WHERE id = $1`, p.ID, p)
}

// Projects returns every project, by id.
func (t *Tx) Projects() ([]store.Project, error) {
	return allJSON[store.Project](t, `SELECT data FROM projects ORDER BY id`)
}

// CreateItem stores it with a new id.
func (t *Tx) CreateItem(it *store.Item) error { return t.create("items", &it.ID, &it.CreatedAt, it) }

// Item returns item id or ErrNotFound.
func (t *Tx) Item(id uint64) (*store.Item, error) {
	var it store.Item
	return &it, t.get(&it, "item", id, `SELECT data FROM items WHERE id = $1`)
}

// PutItem overwrites an existing item.
func (t *Tx) PutItem(it *store.Item) error {
	return t.putJSON(`UPDATE items SET data = $2 WHERE id = $1`, it.ID, it)
}

// CreateConversation stores c with a new id.
func (t *Tx) CreateConversation(c *store.Conversation) error {
	return t.create("conversations", &c.ID, &c.CreatedAt, c)
}

// Conversation returns conversation id or ErrNotFound.
func (t *Tx) Conversation(id uint64) (*store.Conversation, error) {
	var c store.Conversation
	return &c, t.get(&c, "conversation", id, `SELECT data FROM conversations WHERE id = $1`)
}

// PutConversation overwrites an existing conversation.
func (t *Tx) PutConversation(c *store.Conversation) error {
	return t.putJSON(`UPDATE conversations SET data = $2 WHERE id = $1`, c.ID, c)
}

// Conversations returns every conversation, by id.
func (t *Tx) Conversations() ([]store.Conversation, error) {
	return allJSON[store.Conversation](t, `SELECT data FROM conversations ORDER BY id`)
}
