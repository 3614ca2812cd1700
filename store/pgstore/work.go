package pgstore

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// create inserts a record of table with a new id, stamping the creation
// time, and stores v (which now carries the id).
func (t *Tx) create(table string, id *uint64, at *time.Time, v any) error {
	if at.IsZero() {
		*at = time.Now().UTC()
	}
	if n, ok := t.takeID(table); ok {
		// Its id drawn ahead (ReserveIDs): a blind write, sent with the
		// next statement.
		*id = uint64(n)
		data, err := mustJSON(v)
		if err != nil {
			return err
		}
		r := newRow{doc: data}
		if c, ok := v.(*store.Conversation); ok { // its item and activity, columns (migrations 0100, 0101)
			r.item, r.activity = int64(c.ItemID), store.ConversationActivity(c)
		}
		t.queueNew(table, n, r)
	} else {
		data, err := mustJSON(v)
		if err != nil {
			return err
		}
		// One statement: the new id goes into the row and into its document.
		var n int64
		if c, ok := v.(*store.Conversation); ok { // its item and activity, columns (migrations 0100, 0101)
			err = t.queryRow(`INSERT INTO conversations (id, item_id, activity_us, data)
			SELECT n.id, $2, $3, jsonb_set($1::jsonb, '{id}', to_jsonb(n.id)) FROM (SELECT nextval('conversations_id_seq') AS id) n
			RETURNING id`, data, int64(c.ItemID), store.ConversationActivity(c)).Scan(&n)
		} else {
			err = t.queryRow(`INSERT INTO `+table+` (id, data)
			SELECT n.id, jsonb_set($1::jsonb, '{id}', to_jsonb(n.id)) FROM (SELECT nextval('`+table+`_id_seq') AS id) n
			RETURNING id`, data).Scan(&n)
		}
		if err != nil {
			return err
		}
		*id = uint64(n)
	}
	if table == "conversations" {
		if t.newConvs == nil {
			t.newConvs = map[uint64]bool{}
		}
		t.newConvs[*id] = true
	}
	if doc, err := mustJSON(v); err == nil {
		t.memoDoc(table, *id, doc)
	}
	return nil
}

// errStale re-runs a transaction whose reads another one made wrong
// before its write: a project overwritten from the node's stale snapshot,
// a customer created meanwhile by a concurrent mail from the same new
// address (READ COMMITTED), the first admin being created by another node.
var errStale = errors.New("pgstore: what the transaction read changed before its write; running it again")

// CreateProject stores p with a new id.
func (t *Tx) CreateProject(p *store.Project) error {
	t.changed(kindProjects)
	return t.create("projects", &p.ID, &p.CreatedAt, p)
}

// projectsSnap is every project, by id, with its document as stored.
type projectsSnap struct {
	all []store.Project
	raw [][]byte
}

// projects is the node's snapshot of every project, or nil when t reads
// the table itself.
func (t *Tx) projects() (*projectsSnap, error) {
	v, ok, err := t.cached(kindProjects)
	if err != nil || !ok {
		return nil, err
	}
	return v.(*projectsSnap), nil
}

// Project returns project id or ErrNotFound.
func (t *Tx) Project(id uint64) (*store.Project, error) {
	snap, err := t.projects()
	if err != nil {
		return nil, err
	}
	if snap != nil {
		i, ok := slices.BinarySearchFunc(snap.all, id, func(p store.Project, id uint64) int { return cmp.Compare(p.ID, id) })
		if !ok {
			return nil, fmt.Errorf("project %d: %w", id, store.ErrNotFound)
		}
		p := snap.all[i]
		p.Followers, p.Teams = slices.Clone(p.Followers), slices.Clone(p.Teams)
		if t.write {
			if t.fromCache == nil {
				t.fromCache = map[uint64][]byte{}
			}
			t.fromCache[id] = snap.raw[i]
		}
		return &p, nil
	}
	var p store.Project
	return &p, t.get(&p, "project", id, `SELECT data FROM projects WHERE id = $1`)
}

// PutProject overwrites an existing project. A project this transaction
// read from the node's snapshot is overwritten only if the row still
// holds what the snapshot did; else (another node changed it, and this
// node has not heard yet) the transaction runs again (errStale).
func (t *Tx) PutProject(p *store.Project) error {
	data, err := mustJSON(p)
	if err != nil {
		return err
	}
	old, fromCache := t.fromCache[p.ID]
	t.changed(kindProjects)
	if !fromCache {
		_, err = t.exec(`UPDATE projects SET data = $2 WHERE id = $1`, int64(p.ID), data)
		return err
	}
	delete(t.fromCache, p.ID)
	tag, err := t.exec(`UPDATE projects SET data = $2 WHERE id = $1 AND data = $3::jsonb`, int64(p.ID), data, old)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		t.st.cache.invalidate(kindProjects)
		return errStale
	}
	return nil
}

// Projects returns every project, by id.
func (t *Tx) Projects() ([]store.Project, error) {
	snap, err := t.projects()
	if err != nil {
		return nil, err
	}
	if snap != nil {
		out := slices.Clone(snap.all)
		for i := range out {
			out[i].Followers, out[i].Teams = slices.Clone(out[i].Followers), slices.Clone(out[i].Teams)
		}
		return out, nil
	}
	return allJSON[store.Project](t, `SELECT data FROM projects ORDER BY id`)
}

// CreateItem stores it with a new id.
func (t *Tx) CreateItem(it *store.Item) error { return t.create("items", &it.ID, &it.CreatedAt, it) }

// Item returns item id or ErrNotFound.
func (t *Tx) Item(id uint64) (*store.Item, error) {
	var it store.Item
	return &it, t.getRecord(&it, "item", "items", id)
}

// PutItem overwrites an existing item.
func (t *Tx) PutItem(it *store.Item) error {
	return t.putRecord("items", it.ID, it)
}

// CreateConversation stores c with a new id.
func (t *Tx) CreateConversation(c *store.Conversation) error {
	return t.create("conversations", &c.ID, &c.CreatedAt, c)
}

// Conversation returns conversation id or ErrNotFound.
func (t *Tx) Conversation(id uint64) (*store.Conversation, error) {
	if err := t.batchConversations(id); err != nil {
		return nil, err
	}
	var c store.Conversation
	return &c, t.getRecord(&c, "conversation", "conversations", id)
}

// PutConversation overwrites an existing conversation.
func (t *Tx) PutConversation(c *store.Conversation) error {
	if err := t.putRecord("conversations", c.ID, c); err != nil {
		return err
	}
	w := t.pending // queued by putRecord
	if w.activity == nil {
		w.activity = map[int64]int64{}
	}
	w.activity[int64(c.ID)] = store.ConversationActivity(c)
	return nil
}

// ConversationsByActivity returns up to limit conversations, most
// recently active first, after after (nil: from the newest), through
// conversations_activity (migration 0101).
func (t *Tx) ConversationsByActivity(after *store.Conversation, limit int) ([]store.Conversation, error) {
	if after == nil {
		return allJSON[store.Conversation](t, `SELECT data FROM conversations ORDER BY activity_us DESC, id DESC LIMIT $1`, limit)
	}
	return allJSON[store.Conversation](t, conversationsAfterSQL, store.ConversationActivity(after), int64(after.ID), limit)
}

// conversationsAfterSQL is the conversation list's keyset page, a
// backward scan of conversations_activity.
const conversationsAfterSQL = `SELECT data FROM conversations WHERE (activity_us, id) < ($1, $2)
	ORDER BY activity_us DESC, id DESC LIMIT $3`

// Conversations returns every conversation, by id.
func (t *Tx) Conversations() ([]store.Conversation, error) {
	return allJSON[store.Conversation](t, `SELECT data FROM conversations ORDER BY id`)
}

// ItemConversations returns item's conversations, by id (column and
// index conversations_item, migration 0100).
func (t *Tx) ItemConversations(item uint64) ([]store.Conversation, error) {
	return allJSON[store.Conversation](t, itemConversationsSQL, int64(item))
}

// itemConversationsSQL's WHERE matches conversations_item's expression.
const itemConversationsSQL = `SELECT data FROM conversations WHERE item_id = $1 ORDER BY id`
