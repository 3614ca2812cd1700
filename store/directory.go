package store

// DirectoryTx edits and lists the records the API reads and changes
// directly (SPEC §14): users, customers, items and teams.
type DirectoryTx interface {
	// PutUser overwrites existing user u (its email re-indexed);
	// ErrNotFound when there is none, ErrConflict when another user has
	// the email.
	PutUser(u *User) error
	// PutCustomer overwrites existing customer c, like PutUser.
	PutCustomer(c *Customer) error
	// Customers returns every customer, by id.
	Customers() ([]Customer, error)
	// Items returns every item, by id.
	Items() ([]Item, error)
	// PutTeam overwrites existing team tm; ErrNotFound when there is
	// none, ErrConflict when another team has the name.
	PutTeam(tm *Team) error
	// DeleteTeam removes team id; ErrNotFound when there is none. What
	// refers to it (projects, invitations) is the caller's to change.
	DeleteTeam(id uint64) error
}
