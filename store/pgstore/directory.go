package pgstore

import (
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// taken reports whether another row of table than id has key in column col.
func (t *Tx) taken(table, col, key string, id uint64) (bool, error) {
	var ok bool
	err := t.queryRow(`SELECT EXISTS (SELECT 1 FROM `+table+` WHERE `+col+` = $1 AND id <> $2)`, key, int64(id)).Scan(&ok)
	return ok, err
}

// putUnique overwrites row id of table (its unique column col = key),
// ErrNotFound when there is none, ErrConflict when key is another's.
func (t *Tx) putUnique(table, col, key, what string, id uint64, v any, extra string, args ...any) error {
	if dup, err := t.taken(table, col, key, id); err != nil {
		return err
	} else if dup {
		return fmt.Errorf("%s %s: %w", what, key, store.ErrConflict)
	}
	data, err := mustJSON(v)
	if err != nil {
		return err
	}
	tag, err := t.exec(`UPDATE `+table+` SET `+col+` = $2, data = $3`+extra+` WHERE id = $1`,
		append([]any{int64(id), key, data}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// PutUser overwrites existing user u; ErrConflict when the email is taken.
func (t *Tx) PutUser(u *store.User) error {
	u.Email = store.NormalizeEmail(u.Email)
	t.changed(kindUsers) // every node's cache drops its users at the commit
	return t.putUnique("users", "email", u.Email, "user", u.ID, u, `, role = $4`, u.Role)
}

// PutCustomer overwrites existing customer c; ErrConflict when the email is taken.
func (t *Tx) PutCustomer(c *store.Customer) error {
	c.Email = store.NormalizeEmail(c.Email)
	return t.putUnique("customers", "email", c.Email, "customer", c.ID, c, "")
}

// Customers returns every customer, by id.
func (t *Tx) Customers() ([]store.Customer, error) {
	return allJSON[store.Customer](t, `SELECT data FROM customers ORDER BY id`)
}

// Items returns every item, by id.
func (t *Tx) Items() ([]store.Item, error) {
	return allJSON[store.Item](t, `SELECT data FROM items ORDER BY id`)
}

// PutTeam overwrites existing team tm; ErrConflict when the name is taken.
func (t *Tx) PutTeam(tm *store.Team) error {
	return t.putUnique("teams", "name", store.NormalizeEmail(tm.Name), "team", tm.ID, tm, "")
}

// DeleteTeam removes team id.
func (t *Tx) DeleteTeam(id uint64) error {
	tag, err := t.exec(`DELETE FROM teams WHERE id = $1`, int64(id))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("team %d: %w", id, store.ErrNotFound)
	}
	return nil
}
