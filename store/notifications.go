package store

import "time"

// Email statuses of a delivery (SPEC §7).
const (
	EmailNone     = "none"     // not due: the recipient is never emailed this message
	EmailPending  = "pending"  // the unseen timer is running
	EmailSkipped  = "skipped"  // seen in time, or not emailed for a reason in Detail
	EmailQueued   = "queued"   // handed to the outbound queue
	EmailSent     = "sent"     // the upstream accepted it
	EmailDeferred = "deferred" // a temporary failure; the queue retries
	EmailBounced  = "bounced"  // given up
	EmailCaptured = "captured" // kept in the mail log, never sent (DESKGATE_OUTBOUND=capture)
)

// Recipient names who a notification is for.
type Recipient struct {
	Type  string `json:"type"` // KindUser or KindCustomer
	ID    uint64 `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Delivery is what happened to one message for one recipient: notified in
// the app, seen, emailed (GET /messages/{id}/deliveries).
type Delivery struct {
	MessageID      uint64     `json:"message_id"`
	ConversationID uint64     `json:"conversation_id"`
	Recipient      Recipient  `json:"recipient"`
	NotifiedAt     time.Time  `json:"notified_at"`
	SeenAt         *time.Time `json:"seen_at"`
	// EmailStatus is one of the Email* constants.
	EmailStatus string     `json:"email_status"`
	EmailedAt   *time.Time `json:"emailed_at"`
	// OutboundID is the queued email that carries this message (0: none).
	OutboundID uint64 `json:"outbound_id,omitempty"`
	Detail     string `json:"detail"`
}

// InboxQuery selects a recipient's notifications.
type InboxQuery struct {
	Conversation uint64 // 0: all conversations
	UpTo         uint64 // 0: no bound; else only messages with id <= UpTo
	After        uint64 // only messages with id > After
	UnseenOnly   bool
	// Last, when > 0, keeps only the Last newest matching notifications of
	// each conversation (a list shows the newest; older ones are not read).
	Last int
}
