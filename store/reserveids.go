package store

// NewIDs is how many records of each kind a write transaction is about
// to create.
type NewIDs struct {
	Items, Conversations, Messages, MailLog int
}

// IDReserver is a Tx that can draw the ids of records it is about to
// create ahead of creating them: on PostgreSQL, one statement draws them
// all, and each create is then a blind write sent with the transaction's
// next statement instead of an INSERT … RETURNING round trip of its own.
// Ids drawn and not used are skipped, as those of a rolled-back
// transaction are. A backend without it (bbolt) hands ids out as it
// creates.
type IDReserver interface {
	ReserveIDs(n NewIDs) error
}

// ReserveIDs tells tx what it is about to create when it can use the
// hint; nothing happens otherwise. It is a hint only: creating more or
// fewer records than reserved is correct.
func ReserveIDs(tx any, n NewIDs) error {
	if r, ok := tx.(IDReserver); ok {
		return r.ReserveIDs(n)
	}
	return nil
}
