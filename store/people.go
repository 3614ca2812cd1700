package store

import (
	"fmt"
	"strings"
	"time"
)

// Staff roles.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// User is a staff member: an admin (may do everything) or an agent.
type User struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"` // lower-cased, unique among users
	Name      string    `json:"name"`
	Role      string    `json:"role"` // RoleAdmin or RoleAgent
	CreatedAt time.Time `json:"created_at"`
}

// Customer is an outside person known by email address, created by the API
// or by the first email received from that address.
type Customer struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"` // lower-cased, unique among customers
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// NormalizeEmail is the form addresses are stored and looked up in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateUser stores u with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateUser(u *User) error {
	u.Email = NormalizeEmail(u.Email)
	idx := t.b(bUsersEmail)
	if idx.Get([]byte(u.Email)) != nil {
		return fmt.Errorf("user %s: %w", u.Email, ErrConflict)
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
func (t *Tx) User(id uint64) (*User, error) {
	var u User
	return &u, get(t.b(bUsers), id, &u, "user")
}

// UserByEmail returns the user with that address or ErrNotFound.
func (t *Tx) UserByEmail(email string) (*User, error) {
	v := t.b(bUsersEmail).Get([]byte(NormalizeEmail(email)))
	if v == nil {
		return nil, fmt.Errorf("user %s: %w", email, ErrNotFound)
	}
	return t.User(decodeU64(v))
}

// Users returns every user, by id.
func (t *Tx) Users() ([]User, error) { return all[User](t.b(bUsers)) }

// HasAdmin reports whether any admin exists (for the bootstrap token).
func (t *Tx) HasAdmin() (bool, error) {
	users, err := t.Users()
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.Role == RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

// CreateCustomer stores c with a new id; ErrConflict when the email is taken.
func (t *Tx) CreateCustomer(c *Customer) error {
	c.Email = NormalizeEmail(c.Email)
	idx := t.b(bCustEmail)
	if idx.Get([]byte(c.Email)) != nil {
		return fmt.Errorf("customer %s: %w", c.Email, ErrConflict)
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
func (t *Tx) Customer(id uint64) (*Customer, error) {
	var c Customer
	return &c, get(t.b(bCustomers), id, &c, "customer")
}

// CustomerByEmail returns the customer with that address or ErrNotFound.
func (t *Tx) CustomerByEmail(email string) (*Customer, error) {
	v := t.b(bCustEmail).Get([]byte(NormalizeEmail(email)))
	if v == nil {
		return nil, fmt.Errorf("customer %s: %w", email, ErrNotFound)
	}
	return t.Customer(decodeU64(v))
}
