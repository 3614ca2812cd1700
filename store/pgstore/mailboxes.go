package pgstore

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// CreateMailbox stores m with a new id.
func (t *Tx) CreateMailbox(m *store.Mailbox) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	var id int64
	if err := t.tx.QueryRow(t.ctx, `INSERT INTO mailboxes (data) VALUES ('{}') RETURNING id`).Scan(&id); err != nil {
		return err
	}
	m.ID = uint64(id)
	return t.putJSON(`UPDATE mailboxes SET data = $2 WHERE id = $1`, m.ID, m)
}

// Mailbox returns mailbox id or ErrNotFound.
func (t *Tx) Mailbox(id uint64) (*store.Mailbox, error) {
	var m store.Mailbox
	if err := t.getLocked(&m, "mailbox", id, `SELECT data FROM mailboxes WHERE id = $1`); err != nil {
		return nil, err
	}
	return &m, nil
}

// Mailboxes returns every mailbox, by id.
func (t *Tx) Mailboxes() ([]store.Mailbox, error) {
	return allJSON[store.Mailbox](t, `SELECT data FROM mailboxes ORDER BY id`)
}

// PutMailbox overwrites an existing mailbox; ErrNotFound when it was deleted.
func (t *Tx) PutMailbox(m *store.Mailbox) error {
	data, err := mustJSON(m)
	if err != nil {
		return err
	}
	tag, err := t.exec(`UPDATE mailboxes SET data = $2 WHERE id = $1`, int64(m.ID), data)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mailbox %d: %w", m.ID, store.ErrNotFound)
	}
	return nil
}

// DeleteMailbox removes mailbox id; ErrNotFound when there is none.
func (t *Tx) DeleteMailbox(id uint64) error {
	tag, err := t.exec(`DELETE FROM mailboxes WHERE id = $1`, int64(id))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mailbox %d: %w", id, store.ErrNotFound)
	}
	return nil
}
