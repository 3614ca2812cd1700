package boltstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateUser stores u with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateUser(u *store.User) error {
	u.Email = store.NormalizeEmail(u.Email)
	idx := t.b(bUsersEmail)
	if idx.Get([]byte(u.Email)) != nil {
		return fmt.Errorf("user %s: %w", u.Email, store.ErrConflict)
	}
	id, err := nextID(t.b(bUsers))
	if err != nil {
		return err
	}
	u.ID = id
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	if err := idx.Put([]byte(u.Email), u64(id)); err != nil {
		return fmt.Errorf("index user email: %w", err)
	}
	return putJSON(t.b(bUsers), u64(id), u)
}

// User returns user id or ErrNotFound.
func (t *Tx) User(id uint64) (*store.User, error) {
	var u store.User
	return &u, get(t.b(bUsers), id, &u, "user")
}

// UserByEmail returns the user with that address or ErrNotFound.
func (t *Tx) UserByEmail(email string) (*store.User, error) {
	v := t.b(bUsersEmail).Get([]byte(store.NormalizeEmail(email)))
	if v == nil {
		return nil, fmt.Errorf("user %s: %w", email, store.ErrNotFound)
	}
	return t.User(decodeU64(v))
}

// Users returns every user, by id.
func (t *Tx) Users() ([]store.User, error) { return all[store.User](t.b(bUsers)) }

// HasAdmin reports whether any admin exists (for the bootstrap token).
func (t *Tx) HasAdmin() (bool, error) {
	users, err := t.Users()
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.Role == store.RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

// CreateCustomer stores c with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateCustomer(c *store.Customer) error {
	c.Email = store.NormalizeEmail(c.Email)
	idx := t.b(bCustEmail)
	if idx.Get([]byte(c.Email)) != nil {
		return fmt.Errorf("customer %s: %w", c.Email, store.ErrConflict)
	}
	id, err := nextID(t.b(bCustomers))
	if err != nil {
		return err
	}
	c.ID = id
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if err := idx.Put([]byte(c.Email), u64(id)); err != nil {
		return fmt.Errorf("index customer email: %w", err)
	}
	return putJSON(t.b(bCustomers), u64(id), c)
}

// Customer returns customer id or ErrNotFound.
func (t *Tx) Customer(id uint64) (*store.Customer, error) {
	var c store.Customer
	return &c, get(t.b(bCustomers), id, &c, "customer")
}

// CustomerByEmail returns the customer with that address or ErrNotFound.
func (t *Tx) CustomerByEmail(email string) (*store.Customer, error) {
	v := t.b(bCustEmail).Get([]byte(store.NormalizeEmail(email)))
	if v == nil {
		return nil, fmt.Errorf("customer %s: %w", email, store.ErrNotFound)
	}
	return t.Customer(decodeU64(v))
}
