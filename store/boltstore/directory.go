package boltstore

import (
	"bytes"
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// reindex moves id's entry in the unique index idx from old to key;
// ErrConflict when key belongs to another id.
func reindex(idx bucket, old, key string, id uint64, what string) error {
	if old == key {
		return nil
	}
	if v := idx.Get([]byte(key)); v != nil && !bytes.Equal(v, u64(id)) {
		return fmt.Errorf("%s %s: %w", what, key, store.ErrConflict)
	}
	if err := idx.Delete([]byte(old)); err != nil {
		return err
	}
	return idx.Put([]byte(key), u64(id))
}

// PutUser overwrites existing user u; ErrConflict when the email is taken.
func (t *Tx) PutUser(u *store.User) error {
	old, err := t.User(u.ID)
	if err != nil {
		return err
	}
	u.Email = store.NormalizeEmail(u.Email)
	if err := reindex(t.b(bUsersEmail), old.Email, u.Email, u.ID, "user"); err != nil {
		return err
	}
	return putJSON(t.b(bUsers), u64(u.ID), u)
}

// PutCustomer overwrites existing customer c; ErrConflict when the email is taken.
func (t *Tx) PutCustomer(c *store.Customer) error {
	old, err := t.Customer(c.ID)
	if err != nil {
		return err
	}
	c.Email = store.NormalizeEmail(c.Email)
	if err := reindex(t.b(bCustEmail), old.Email, c.Email, c.ID, "customer"); err != nil {
		return err
	}
	return putJSON(t.b(bCustomers), u64(c.ID), c)
}

// Customers returns every customer, by id.
func (t *Tx) Customers() ([]store.Customer, error) { return all[store.Customer](t.b(bCustomers)) }

// Items returns every item, by id.
func (t *Tx) Items() ([]store.Item, error) { return all[store.Item](t.b(bItems)) }

// PutTeam overwrites existing team tm; ErrConflict when the name is taken.
func (t *Tx) PutTeam(tm *store.Team) error {
	old, err := t.Team(tm.ID)
	if err != nil {
		return err
	}
	if err := reindex(t.b(bTeamNames), store.NormalizeEmail(old.Name), store.NormalizeEmail(tm.Name), tm.ID, "team"); err != nil {
		return err
	}
	return putJSON(t.b(bTeams), u64(tm.ID), tm)
}

// DeleteTeam removes team id and its name.
func (t *Tx) DeleteTeam(id uint64) error {
	old, err := t.Team(id)
	if err != nil {
		return err
	}
	if err := t.b(bTeamNames).Delete([]byte(store.NormalizeEmail(old.Name))); err != nil {
		return err
	}
	return t.b(bTeams).Delete(u64(id))
}
