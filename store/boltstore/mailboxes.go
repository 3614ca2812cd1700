package boltstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// bMailboxes holds the IMAP mailboxes (SPEC §11) by id.
var bMailboxes = []byte("mailboxes")

func init() { allBuckets = append(allBuckets, bMailboxes) }

// CreateMailbox stores m with a new id.
func (t *Tx) CreateMailbox(m *store.Mailbox) error {
	id, err := nextID(t.b(bMailboxes))
	if err != nil {
		return err
	}
	m.ID = id
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	return putJSON(t.b(bMailboxes), u64(id), m)
}

// Mailbox returns mailbox id or ErrNotFound.
func (t *Tx) Mailbox(id uint64) (*store.Mailbox, error) {
	var m store.Mailbox
	if err := get(t.b(bMailboxes), id, &m, "mailbox"); err != nil {
		return nil, err
	}
	return &m, nil
}

// Mailboxes returns every mailbox, by id.
func (t *Tx) Mailboxes() ([]store.Mailbox, error) { return all[store.Mailbox](t.b(bMailboxes)) }

// PutMailbox overwrites an existing mailbox; ErrNotFound when it was deleted.
func (t *Tx) PutMailbox(m *store.Mailbox) error {
	if t.b(bMailboxes).Get(u64(m.ID)) == nil {
		return fmt.Errorf("mailbox %d: %w", m.ID, store.ErrNotFound)
	}
	return putJSON(t.b(bMailboxes), u64(m.ID), m)
}

// DeleteMailbox removes mailbox id; ErrNotFound when there is none.
func (t *Tx) DeleteMailbox(id uint64) error {
	if t.b(bMailboxes).Get(u64(id)) == nil {
		return fmt.Errorf("mailbox %d: %w", id, store.ErrNotFound)
	}
	return t.b(bMailboxes).Delete(u64(id))
}
