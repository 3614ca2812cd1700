package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A kind of read-mostly record every mail or post reads (users, settings,
// projects, automations, templates, webhooks): each node keeps them in memory, so
// the hot paths read none of them from the database. A transaction that
// changes a kind says so with NOTIFY deskgate_cache '<kinds>' (sent at
// its commit, not before), and every node, this one included, drops what
// it holds of those kinds and reads them afresh at the next use.
//
// The cache serves only while the node listens: from the first LISTEN
// until a lost connection (when it drops everything, since a change may
// go unheard until it listens again). A transaction that changed a kind
// reads that kind from its own snapshot, not from the cache.
type kind int

const (
	kindUsers kind = iota
	kindSettings
	kindProjects
	kindAutomations
	kindTemplates
	kindWebhooks // the events recorder reads them in every write (store/events)
	nKinds
)

var kindNames = [nKinds]string{"users", "settings", "projects", "automations", "templates", "webhooks"}

// cacheChannel is the LISTEN/NOTIFY channel of changed kinds.
const cacheChannel = "deskgate_cache"

// nodeCache holds one snapshot per kind.
type nodeCache struct {
	mu   sync.Mutex
	live bool // listening: notifications will tell of changes
	gen  [nKinds]uint64
	vals [nKinds]any
	load [nKinds]sync.Mutex // one load of a kind at a time
}

// invalidate drops kinds (all when none is named).
func (c *nodeCache) invalidate(ks ...kind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(ks) == 0 {
		for k := range nKinds {
			ks = append(ks, k)
		}
	}
	for _, k := range ks {
		c.gen[k]++
		c.vals[k] = nil
	}
}

func (c *nodeCache) setLive(live bool) {
	c.mu.Lock()
	c.live = live
	c.mu.Unlock()
	c.invalidate()
}

// get returns kind k's snapshot, loading it with load (on its own
// connection, outside any transaction) when not held. ok is false when
// the cache does not serve (not listening): the caller reads the table.
//
// A load stores its result only when no change of k was heard since it
// began: a change heard later may have committed after the load's
// snapshot, and one heard before had committed before the load read.
func (c *nodeCache) get(k kind, load func() (any, error)) (any, bool, error) {
	c.mu.Lock()
	if v := c.vals[k]; v != nil || !c.live {
		c.mu.Unlock()
		return v, v != nil, nil
	}
	c.mu.Unlock()
	c.load[k].Lock()
	defer c.load[k].Unlock()
	c.mu.Lock()
	if v := c.vals[k]; v != nil { // loaded while we waited
		c.mu.Unlock()
		return v, true, nil
	}
	g := c.gen[k]
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	if c.gen[k] == g && c.live {
		c.vals[k] = v
	}
	c.mu.Unlock()
	return v, true, nil
}

// changed marks kinds this transaction changes: it reads them from its
// own snapshot from now on, and its commit tells every node.
func (t *Tx) changed(ks ...kind) {
	for _, k := range ks {
		t.dirty |= 1 << k
	}
}

func (t *Tx) isDirty(k kind) bool { return t.dirty&(1<<k) != 0 }

// dirtyNames is the NOTIFY payload of the kinds t changed.
func (t *Tx) dirtyNames() string {
	var names []string
	for k := range nKinds {
		if t.isDirty(k) {
			names = append(names, kindNames[k])
		}
	}
	return strings.Join(names, ",")
}

func (t *Tx) dirtyKinds() []kind {
	var ks []kind
	for k := range nKinds {
		if t.isDirty(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// cached returns kind k's snapshot for t, or ok=false when t must read
// the table itself.
func (t *Tx) cached(k kind) (any, bool, error) {
	if t.st == nil || t.isDirty(k) {
		return nil, false, nil
	}
	return t.st.cache.get(k, func() (any, error) { return t.st.loadKind(t.ctx, k) })
}

// usersSnap is every user, by id and by address.
type usersSnap struct {
	all     []store.User
	byID    map[uint64]int
	byEmail map[string]int
}

// settingsSnap is every stored settings record and the open ones.
type settingsSnap struct {
	byUser map[uint64]store.Settings
	open   []uint64
}

// loadKind reads kind k whole, on a connection of the cache's own pool
// (never one a transaction waits to get back: the main pool could be
// all held by transactions waiting for this load).
func (s *Store) loadKind(ctx context.Context, k kind) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch k {
	case kindUsers:
		all, err := loadAll[store.User](ctx, s.aux, `SELECT data FROM users ORDER BY id`)
		if err != nil {
			return nil, err
		}
		u := &usersSnap{all: all, byID: make(map[uint64]int, len(all)), byEmail: make(map[string]int, len(all))}
		for i := range all {
			u.byID[all[i].ID], u.byEmail[all[i].Email] = i, i
		}
		return u, nil
	case kindSettings:
		rows, err := s.aux.Query(ctx, `SELECT user_id, open, data FROM settings ORDER BY user_id`)
		if err != nil {
			return nil, err
		}
		snap := &settingsSnap{byUser: map[uint64]store.Settings{}, open: []uint64{}}
		var id int64
		var open bool
		var data []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &open, &data}, func() error {
			set := store.DefaultSettings()
			if err := json.Unmarshal(data, &set); err != nil {
				return fmt.Errorf("settings of user %d: %w", id, err)
			}
			snap.byUser[uint64(id)] = set
			if open {
				snap.open = append(snap.open, uint64(id))
			}
			return nil
		})
		return snap, err
	case kindProjects:
		rows, err := s.aux.Query(ctx, `SELECT data FROM projects ORDER BY id`)
		if err != nil {
			return nil, err
		}
		snap := &projectsSnap{all: []store.Project{}}
		var data []byte
		_, err = pgx.ForEachRow(rows, []any{&data}, func() error {
			var p store.Project
			if err := json.Unmarshal(data, &p); err != nil {
				return fmt.Errorf("decode project: %w", err)
			}
			snap.all, snap.raw = append(snap.all, p), append(snap.raw, slices.Clone(data))
			return nil
		})
		return snap, err
	case kindAutomations:
		return loadAll[store.Automation](ctx, s.aux, `SELECT data FROM automations ORDER BY id`)
	case kindTemplates:
		return loadAll[store.TemplateRecord](ctx, s.aux, `SELECT data FROM templates ORDER BY name COLLATE "C"`)
	case kindWebhooks:
		return loadAll[store.Webhook](ctx, s.aux, `SELECT data FROM webhooks ORDER BY id`)
	}
	return nil, fmt.Errorf("cache: unknown kind %d", k)
}

func loadAll[T any](ctx context.Context, pool *pgxpool.Pool, sql string) ([]T, error) {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var data []byte
		var v T
		if err := row.Scan(&data); err != nil {
			return v, err
		}
		return v, json.Unmarshal(data, &v)
	})
	if out == nil && err == nil {
		out = []T{}
	}
	return out, err
}

// listenCache keeps the node's cache told of changes until ctx ends: it
// LISTENs on its own connection, drops the kinds each notification names,
// and listens again after losing the connection (the cache does not serve
// meanwhile).
func (s *Store) listenCache(ctx context.Context, log *slog.Logger) {
	for ctx.Err() == nil {
		err := s.listenCacheOnce(ctx)
		s.cache.setLive(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("listening for other nodes' changes; retrying (the record cache is off meanwhile)", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenCacheOnce(ctx context.Context) error {
	pc, err := s.aux.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection listens: it is not handed out again.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+cacheChannel); err != nil {
		return err
	}
	s.cache.setLive(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var ks []kind
		for _, name := range strings.Split(n.Payload, ",") {
			for k := range nKinds {
				if kindNames[k] == name {
					ks = append(ks, k)
				}
			}
		}
		if len(ks) > 0 {
			s.cache.invalidate(ks...)
		}
	}
}
