package pgstore

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// CreateUser stores u with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateUser(u *store.User) error {
	u.Email = store.NormalizeEmail(u.Email)
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	u.ID = 0
	doc, err := mustJSON(u)
	if err != nil {
		return err
	}
	var id int64
	err = t.queryRow(`INSERT INTO users (id, email, role, data)
		SELECT n.id, $1, $2, jsonb_set($3::jsonb, '{id}', to_jsonb(n.id))
		FROM (SELECT nextval('users_id_seq') AS id) n
		ON CONFLICT (email) DO NOTHING RETURNING id`, u.Email, u.Role, doc).Scan(&id)
	if isNoRows(err) {
		return fmt.Errorf("user %s: %w", u.Email, store.ErrConflict)
	}
	if err != nil {
		return err
	}
	u.ID = uint64(id)
	t.changed(kindUsers)
	return nil
}

// users is the node's snapshot of every user, or nil when t reads the
// table itself.
func (t *Tx) users() (*usersSnap, error) {
	v, ok, err := t.cached(kindUsers)
	if err != nil || !ok {
		return nil, err
	}
	return v.(*usersSnap), nil
}

// User returns user id or ErrNotFound.
func (t *Tx) User(id uint64) (*store.User, error) {
	if snap, err := t.users(); err != nil {
		return nil, err
	} else if snap != nil {
		if i, ok := snap.byID[id]; ok {
			u := snap.all[i]
			return &u, nil
		}
		return nil, fmt.Errorf("user %d: %w", id, store.ErrNotFound)
	}
	var u store.User
	return &u, t.get(&u, "user", id, `SELECT data FROM users WHERE id = $1`)
}

// UserByEmail returns the user with that address or ErrNotFound.
func (t *Tx) UserByEmail(email string) (*store.User, error) {
	email = store.NormalizeEmail(email)
	if snap, err := t.users(); err != nil {
		return nil, err
	} else if snap != nil {
		if i, ok := snap.byEmail[email]; ok {
			u := snap.all[i]
			return &u, nil
		}
		return nil, fmt.Errorf("user %s: %w", email, store.ErrNotFound)
	}
	var u store.User
	ok, err := t.getJSON(&u, `SELECT data FROM users WHERE email = $1`, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("user %s: %w", email, store.ErrNotFound)
	}
	return &u, nil
}

// Users returns every user, by id.
func (t *Tx) Users() ([]store.User, error) {
	if snap, err := t.users(); err != nil {
		return nil, err
	} else if snap != nil {
		return slices.Clone(snap.all), nil
	}
	return allJSON[store.User](t, `SELECT data FROM users ORDER BY id`)
}

// HasAdmin reports whether any admin exists. A write transaction (the
// bootstrap creating the first admin) asks the table: its answer must
// hold until the commit.
func (t *Tx) HasAdmin() (bool, error) {
	if snap, err := t.users(); err != nil {
		return false, err
	} else if snap != nil && !t.write {
		return slices.ContainsFunc(snap.all, func(u store.User) bool { return u.Role == store.RoleAdmin }), nil
	}
	if t.write { // two nodes bootstrapping: one admin
		if ok, err := t.TryLock("first admin"); err != nil {
			return false, err
		} else if !ok {
			return false, errStale // the other is at it: run again after it
		}
	}
	var ok bool
	err := t.queryRow(`SELECT EXISTS (SELECT 1 FROM users WHERE role = $1)`, store.RoleAdmin).Scan(&ok)
	return ok, err
}

// UserExists reports whether user id exists (posting asks it of every
// follower: the node's snapshot answers).
func (t *Tx) UserExists(id uint64) (bool, error) {
	if snap, err := t.users(); err != nil {
		return false, err
	} else if snap != nil {
		_, ok := snap.byID[id]
		return ok, nil
	}
	var ok bool
	err := t.queryRow(`SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, int64(id)).Scan(&ok)
	return ok, err
}

// CreateCustomer stores c with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateCustomer(c *store.Customer) error {
	c.Email = store.NormalizeEmail(c.Email)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	c.ID = 0
	id, err := t.insertWithID("customers", `email`, c.Email, c)
	if isNoRows(err) && t.noCustomer[c.Email] {
		// This transaction found no such customer, and another created
		// it since (READ COMMITTED): run again, and find it.
		return errStale
	}
	if isNoRows(err) {
		return fmt.Errorf("customer %s: %w", c.Email, store.ErrConflict)
	}
	if err != nil {
		return err
	}
	c.ID = id
	return nil
}

// insertWithID inserts v into table with a new id and the unique column
// col = val, in one statement (the id goes into the row and its document);
// pgx.ErrNoRows when val is taken.
func (t *Tx) insertWithID(table, col string, val any, v any) (uint64, error) {
	doc, err := mustJSON(v)
	if err != nil {
		return 0, err
	}
	var id int64
	err = t.queryRow(`INSERT INTO `+table+` (id, `+col+`, data)
		SELECT n.id, $1, jsonb_set($2::jsonb, '{id}', to_jsonb(n.id))
		FROM (SELECT nextval('`+table+`_id_seq') AS id) n
		ON CONFLICT (`+col+`) DO NOTHING RETURNING id`, val, doc).Scan(&id)
	return uint64(id), err
}

// Customer returns customer id or ErrNotFound.
func (t *Tx) Customer(id uint64) (*store.Customer, error) {
	if c, ok, err := t.batchCustomer(id); ok || err != nil {
		return c, err
	}
	var c store.Customer
	ok, err := t.getJSON(&c, `SELECT data FROM customers WHERE id = $1`, int64(id)) // never changed: no lock
	if err == nil && !ok {
		err = fmt.Errorf("customer %d: %w", id, store.ErrNotFound)
	}
	return &c, err
}

// CustomerByEmail returns the customer with that address or ErrNotFound.
func (t *Tx) CustomerByEmail(email string) (*store.Customer, error) {
	email = store.NormalizeEmail(email)
	if c, found, err := t.customerAhead(email); found {
		return c, err
	}
	var c store.Customer
	ok, err := t.getJSON(&c, `SELECT data FROM customers WHERE email = $1`, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		if t.noCustomer == nil {
			t.noCustomer = map[string]bool{}
		}
		t.noCustomer[email] = true
		return nil, fmt.Errorf("customer %s: %w", email, store.ErrNotFound)
	}
	return &c, nil
}

// tokenHash is how a token is stored: its SHA-256, never the token itself.
func tokenHash(token string) []byte { return store.TokenHash(token) }

// nsOrZero is at in unix nanoseconds, 0 for the zero time.
func nsOrZero(at time.Time) int64 {
	if at.IsZero() {
		return 0
	}
	return at.UnixNano()
}

// timeOrZero is nsOrZero's inverse.
func timeOrZero(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return fromNS(n)
}

// PutToken stores the hash of token as belonging to p.
func (t *Tx) PutToken(token string, p store.Principal) error {
	return t.putTokenHash(tokenHash(token), p)
}

func (t *Tx) putTokenHash(hash []byte, p store.Principal) error {
	_, err := t.exec(`INSERT INTO tokens (hash, kind, principal_id, created_ns, last_used_ns, minted) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (hash) DO UPDATE SET kind = EXCLUDED.kind, principal_id = EXCLUDED.principal_id,
			created_ns = EXCLUDED.created_ns, last_used_ns = EXCLUDED.last_used_ns, minted = EXCLUDED.minted`,
		hash, p.Kind, int64(p.ID), nsOrZero(p.CreatedAt), nsOrZero(p.LastUsed), p.Minted)
	if err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return nil
}

// scanPrincipal reads kind, principal_id, created_ns, last_used_ns, minted.
func scanPrincipal(row pgx.Row, extra ...any) (*store.Principal, error) {
	var p store.Principal
	var id, created, used int64
	if err := row.Scan(append([]any{&p.Kind, &id, &created, &used, &p.Minted}, extra...)...); err != nil {
		return nil, err
	}
	p.ID, p.CreatedAt, p.LastUsed = uint64(id), timeOrZero(created), timeOrZero(used)
	return &p, nil
}

// TokenPrincipal returns the owner of token, or ErrNotFound.
func (t *Tx) TokenPrincipal(token string) (*store.Principal, error) {
	p, err := scanPrincipal(t.queryRow(`SELECT kind, principal_id, created_ns, last_used_ns, minted FROM tokens WHERE hash = $1`, tokenHash(token)))
	if isNoRows(err) {
		return nil, store.ErrNotFound
	}
	return p, err
}

// Tokens lists the tokens of owner (kind and id), oldest first.
func (t *Tx) Tokens(kind string, id uint64) ([]store.TokenInfo, error) {
	rows, err := t.query(`SELECT kind, principal_id, created_ns, last_used_ns, minted, hash FROM tokens
		WHERE kind = $1 AND principal_id = $2 ORDER BY created_ns, hash`, kind, int64(id))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.TokenInfo, error) {
		var hash []byte
		p, err := scanPrincipal(row, &hash)
		if err != nil {
			return store.TokenInfo{}, err
		}
		return store.TokenInfo{ID: hex.EncodeToString(hash[:8]), Principal: *p}, nil
	})
}

// DeleteToken deletes the token with id tokenID of owner (kind and id), or
// returns ErrNotFound (also when it belongs to someone else).
func (t *Tx) DeleteToken(kind string, id uint64, tokenID string) error {
	prefix, err := hex.DecodeString(tokenID)
	if err != nil || len(prefix) != 8 {
		return store.ErrNotFound
	}
	tag, err := t.exec(`DELETE FROM tokens WHERE substring(hash FROM 1 FOR 8) = $1 AND kind = $2 AND principal_id = $3`,
		prefix, kind, int64(id))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// TouchToken records that token was used at at; a token revoked meanwhile
// stays revoked (ErrNotFound).
func (t *Tx) TouchToken(token string, at time.Time) error {
	tag, err := t.exec(`UPDATE tokens SET last_used_ns = $2 WHERE hash = $1`, tokenHash(token), nsOrZero(at))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// settingsSnap is the node's snapshot of every settings record, or nil
// when t reads the table itself.
func (t *Tx) settingsSnap() (*settingsSnap, error) {
	v, ok, err := t.cached(kindSettings)
	if err != nil || !ok {
		return nil, err
	}
	return v.(*settingsSnap), nil
}

// Settings returns user id's settings, the defaults when never set.
func (t *Tx) Settings(userID uint64) (store.Settings, error) {
	if snap, err := t.settingsSnap(); err != nil {
		return store.DefaultSettings(), err
	} else if snap != nil {
		if s, ok := snap.byUser[userID]; ok {
			return s, nil
		}
		return store.DefaultSettings(), nil
	}
	s := store.DefaultSettings()
	_, err := t.getJSON(&s, `SELECT data FROM settings WHERE user_id = $1`, int64(userID))
	if err != nil {
		return store.DefaultSettings(), fmt.Errorf("settings of user %d: %w", userID, err)
	}
	return s, nil
}

// PutSettings stores user id's settings.
func (t *Tx) PutSettings(userID uint64, s store.Settings) error {
	data, err := mustJSON(s)
	if err != nil {
		return err
	}
	open := s.FromCustomers == "all" || s.FromUsersAndBot == "all"
	t.changed(kindSettings)
	_, err = t.exec(`INSERT INTO settings (user_id, open, data) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET open = EXCLUDED.open, data = EXCLUDED.data`, int64(userID), open, data)
	if err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	return nil
}

// UsersWithOpenSettings returns, in id order, the users whose settings let
// them be notified of conversations they do not follow.
func (t *Tx) UsersWithOpenSettings() ([]uint64, error) {
	if snap, err := t.settingsSnap(); err != nil {
		return nil, err
	} else if snap != nil {
		return slices.Clone(snap.open), nil
	}
	return t.ids(`SELECT user_id FROM settings WHERE open ORDER BY user_id`)
}
