package bridge

import (
	"github.com/deskgate/deskgate/store"
)

// Outbox is where the domain hands the emails it decides to send. The
// outbound package implements it (compose, DKIM-sign, queue); the domain
// only says what to send to whom.
type Outbox interface {
	// Enqueue queues e inside tx, so the email is queued if and only if
	// the transaction commits; it returns the queued email's id.
	Enqueue(tx *store.Tx, e *Email) (uint64, error)
	// Kick wakes the queue after a commit that enqueued.
	Kick()
}

// Email is one email of unseen messages of one conversation to one recipient.
type Email struct {
	Recipient    store.Recipient
	Conversation store.Conversation
	Messages     []store.Message // the unseen messages, oldest first
	// MessageID is the Message-ID the email will carry (without <>),
	// chosen by the domain so replies to it thread back here.
	MessageID  string
	InReplyTo  string   // without <>
	References []string // without <>, oldest first
	ReplyTo    string   // the recipient's reply+TOKEN@ address
	FromName   string   // display name: the author(s)
}
