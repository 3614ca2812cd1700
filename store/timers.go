package store

import "time"

// Timer is a pending unseen-email timer: when it is due, the messages of
// Conversation that Recipient has still not seen are emailed as one email.
// There is at most one timer per (recipient, conversation): the earliest
// due time of the unseen messages.
type Timer struct {
	Due          time.Time
	Recipient    Recipient
	Conversation uint64
}
