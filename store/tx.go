package store

import (
	"context"
	"time"
)

// Store is an open backend. It is safe for concurrent use.
type Store interface {
	// Update runs fn in a read-write transaction and returns nil once the
	// transaction is durable. A backend may commit fn together with the
	// functions of concurrent callers (group commit), so fn may run more
	// than once: it must set its results afresh on each run and allocate
	// ids inside the transaction. An error fn returns before its first
	// write (a refusal: not found, invalid) is returned to its caller
	// alone and never fails or re-runs the other functions of a group.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction. Keep it short.
	View(ctx context.Context, fn func(Tx) error) error
	// Backend names the implementation: "bbolt" or "postgres".
	Backend() string
	// SetWriteObserver registers f to be told the duration of every write
	// transaction (the store write latency metric). Call it before the
	// store is shared.
	SetWriteObserver(f func(time.Duration))
	// Close releases the database.
	Close() error
}

// GroupUpdater is a Store whose Update commits the functions of
// concurrent callers together (group commit; both backends are).
// UpdateGroup runs fns as one such group, in order, and returns each
// function's answer as Update would: the conformance suite uses it to
// make a group happen instead of hoping callers meet.
type GroupUpdater interface {
	UpdateGroup(ctx context.Context, fns ...func(Tx) error) []error
}

// Backend names.
const (
	BackendBolt     = "bbolt"
	BackendPostgres = "postgres"
)

// Tx is one transaction: every concept's operations. The domain composes
// several of them into one atomic change (a message, its mail log entry and
// its notification timers commit together or not at all). A Tx must not be
// used after the function it was given to returns.
type Tx interface {
	PeopleTx
	WorkTx
	MessagesTx
	NotificationsTx
	TimersTx
	QueueTx
	MailLogTx
	GuardTx
	AccountsTx
	TeamsTx
	MessagingTx
	MailboxesTx
	LocksTx
	DirectoryTx
	OutboxTx
	WebhooksTx
}

// LocksTx holds installation-wide locks, so that work every node could do
// (retention pruning) is done by one node at a time (SPEC §8).
type LocksTx interface {
	// TryLock reports whether this transaction now holds the lock named
	// key, until it ends; false when another transaction holds it. On a
	// store only one process opens (bbolt) it is always true.
	TryLock(key string) (bool, error)
}

// PeopleTx holds staff users, customers, API tokens and notification
// settings.
type PeopleTx interface {
	// CreateUser stores u with a new id; ErrConflict when the email is taken.
	CreateUser(u *User) error
	// User returns user id or ErrNotFound.
	User(id uint64) (*User, error)
	// UserByEmail returns the user with that address or ErrNotFound.
	UserByEmail(email string) (*User, error)
	// Users returns every user, by id.
	Users() ([]User, error)
	// HasAdmin reports whether any admin exists (for the bootstrap token).
	HasAdmin() (bool, error)
	// UserExists reports whether user id exists.
	UserExists(id uint64) (bool, error)
	// CreateCustomer stores c with a new id; ErrConflict when the email is taken.
	CreateCustomer(c *Customer) error
	// Customer returns customer id or ErrNotFound.
	Customer(id uint64) (*Customer, error)
	// CustomerByEmail returns the customer with that address or ErrNotFound.
	CustomerByEmail(email string) (*Customer, error)

	// PutToken stores the SHA-256 of token (never the token) as p's.
	PutToken(token string, p Principal) error
	// TokenPrincipal returns the owner of token, or ErrNotFound.
	TokenPrincipal(token string) (*Principal, error)
	// Tokens lists the tokens of owner (kind and id), oldest first.
	Tokens(kind string, id uint64) ([]TokenInfo, error)
	// DeleteToken deletes the token with id tokenID of owner (kind and
	// id), or returns ErrNotFound (also when it belongs to someone else).
	DeleteToken(kind string, id uint64, tokenID string) error
	// TouchToken records that token was used at at; a token revoked
	// meanwhile stays revoked (ErrNotFound).
	TouchToken(token string, at time.Time) error

	// Settings returns user id's settings, the defaults when never set.
	Settings(userID uint64) (Settings, error)
	// PutSettings stores user id's settings.
	PutSettings(userID uint64, s Settings) error
	// UsersWithOpenSettings returns, in id order, the users whose settings
	// let them be notified of conversations they do not follow
	// (from_customers or from_users_and_bot "all"; SPEC §4).
	UsersWithOpenSettings() ([]uint64, error)
}

// WorkTx holds projects, items and conversations.
type WorkTx interface {
	CreateProject(p *Project) error
	// Project returns project id or ErrNotFound.
	Project(id uint64) (*Project, error)
	// PutProject overwrites an existing project.
	PutProject(p *Project) error
	// Projects returns every project, by id.
	Projects() ([]Project, error)
	CreateItem(it *Item) error
	// Item returns item id or ErrNotFound.
	Item(id uint64) (*Item, error)
	// PutItem overwrites an existing item.
	PutItem(it *Item) error
	CreateConversation(c *Conversation) error
	// Conversation returns conversation id or ErrNotFound.
	Conversation(id uint64) (*Conversation, error)
	// PutConversation overwrites an existing conversation.
	PutConversation(c *Conversation) error
	// Conversations returns every conversation, by id.
	Conversations() ([]Conversation, error)
	// ItemConversations returns item's conversations, by id, from an
	// index (a conversation's item is set at its creation and never
	// changes).
	ItemConversations(item uint64) ([]Conversation, error)
	// ConversationsByActivity returns up to limit conversations, most
	// recently active first (ConversationActivity, then higher id first),
	// those after after in that order (nil: from the first).
	ConversationsByActivity(after *Conversation, limit int) ([]Conversation, error)
}

// MessagesTx holds messages, their attachments and the Message-ID index
// that threads email replies (RFC 5322 §3.6.4).
type MessagesTx interface {
	// CreateMessage stores m with a new id (ids grow with time) and
	// indexes it under its conversation. Attachment contents in data (same
	// order as m.Attachments) get ids too.
	CreateMessage(m *Message, data [][]byte) error
	// Message returns message id or ErrNotFound.
	Message(id uint64) (*Message, error)
	// PutMessage overwrites an existing message.
	PutMessage(m *Message) error
	// AttachmentData returns attachment id's bytes, or ErrNotFound.
	AttachmentData(id uint64) ([]byte, error)
	// MessageIDs returns the ids of conversation conv's messages, oldest first.
	MessageIDs(conv uint64) ([]uint64, error)
	// NewestMessageIDs returns the ids of conv's newest n messages, newest first.
	NewestMessageIDs(conv uint64, n int) ([]uint64, error)
	// Messages returns conversation conv's messages, oldest first.
	Messages(conv uint64) ([]Message, error)
	// SearchConversations returns the ids of the conversations that have a
	// message whose body has a word beginning with each of terms (from
	// SearchTerms; none finds nothing), the conversation of the newest such
	// message first, at most limit. PostgreSQL answers from a full-text
	// index, bbolt by a scan of the message records.
	SearchConversations(terms []string, limit int) ([]uint64, error)
	// PutMessageRef indexes an email Message-ID (without <>); "" is ignored.
	PutMessageRef(emailID string, r MessageRef) error
	// MessageRef looks an email Message-ID up, or ErrNotFound.
	MessageRef(emailID string) (*MessageRef, error)
}

// NotificationsTx holds deliveries (a message notified to a recipient),
// each recipient's inbox and unseen counts, and which deliveries an
// outbound email carries.
type NotificationsTx interface {
	// PutDelivery stores d (new or changed) and keeps the recipient's inbox
	// and unseen count of the conversation up to date.
	PutDelivery(d *Delivery) error
	// AddDelivery stores d, a delivery of a message just created (none is
	// stored yet for its recipient).
	AddDelivery(d *Delivery) error
	// Delivery returns message msg's delivery to r, or ErrNotFound.
	Delivery(msg uint64, r Recipient) (*Delivery, error)
	// Deliveries returns every delivery of message msg.
	Deliveries(msg uint64) ([]Delivery, error)
	// Inbox returns r's deliveries matching q, ordered by conversation,
	// then message.
	Inbox(r Recipient, q InboxQuery) ([]Delivery, error)
	// UnseenCount returns how many of r's notifications in conv are unseen.
	UnseenCount(r Recipient, conv uint64) (int, error)
	// UnseenCounts returns r's unseen count per conversation that has any.
	UnseenCounts(r Recipient) (map[uint64]int, error)
	// SeeUpTo marks r's unseen notifications in conv of messages up to
	// upTo seen: see is called on each (it must set SeenAt, and may change
	// the email status), then each is stored (SPEC §4: seeing a message
	// sees every earlier one). It returns the changed deliveries.
	SeeUpTo(r Recipient, conv, upTo uint64, see func(*Delivery)) ([]Delivery, error)
	// LinkEmail records that outbound email id carries delivery d.
	LinkEmail(id uint64, d *Delivery) error
	// EmailDeliveries returns the deliveries outbound email id carries.
	EmailDeliveries(id uint64) ([]Delivery, error)
}

// TimersTx holds the unseen-email timers: at most one per (recipient,
// conversation), due at the earliest unseen message's deadline (SPEC §4).
type TimersTx interface {
	// SetTimer makes (r, conv)'s timer due at due, replacing a later one;
	// an earlier existing timer is kept. (It reports nothing else, so a
	// backend may send it with the next statement: posting to 1,000
	// followers sets 1,000 timers.)
	SetTimer(r Recipient, conv uint64, due time.Time) error
	// ReplaceTimer sets (r, conv)'s timer to due, whatever it was.
	ReplaceTimer(r Recipient, conv uint64, due time.Time) error
	// TimerDue returns when (r, conv)'s timer is due, if there is one.
	TimerDue(r Recipient, conv uint64) (time.Time, bool, error)
	// DeleteTimer removes (r, conv)'s timer, if any.
	DeleteTimer(r Recipient, conv uint64) error
	// DueTimers returns up to max timers due at or before now, earliest first.
	DueTimers(now time.Time, max int) ([]Timer, error)
	// NextTimer returns the earliest due time of any timer.
	NextTimer() (time.Time, bool, error)
	// TimerCount returns how many timers are pending (for metrics and tests).
	TimerCount() (int, error)
	// DropStaleTimer removes tm from the due order when (tm.Recipient,
	// tm.Conversation)'s timer is no longer due at tm.Due. It reports
	// whether it removed anything.
	DropStaleTimer(tm Timer) (bool, error)
}

// QueueTx holds the outbound queue (SPEC §5).
type QueueTx interface {
	// NewOutboundID allocates the id of a new outbound email.
	NewOutboundID() (uint64, error)
	// PutOutbound stores o, keeping the due order and the Message-ID index
	// in step. raw, when not nil, replaces the stored raw message; a final
	// email's raw message is deleted.
	PutOutbound(o *OutboundEmail, raw []byte) error
	// Outbound returns outbound email id, or ErrNotFound.
	Outbound(id uint64) (*OutboundEmail, error)
	// OutboundByMessageID finds an outbound email by its Message-ID.
	OutboundByMessageID(msgID string) (*OutboundEmail, error)
	// OutboundRaw returns a pending outbound email's raw message.
	OutboundRaw(id uint64) ([]byte, error)
	// DueOutbound returns the ids of up to max pending emails due at or
	// before now, earliest first.
	DueOutbound(now time.Time, max int) ([]uint64, error)
	// NextOutbound returns when the earliest pending email is due.
	NextOutbound() (time.Time, bool, error)
	// OutboundPending counts pending emails.
	OutboundPending() (int, error)
	// PruneOutbound deletes up to max emails final before `before`.
	PruneOutbound(before time.Time, max int) (int, error)
}

// MailLogTx holds the mail log and its raw messages (SPEC §6).
type MailLogTx interface {
	// AddMailLog stores e (assigning e.ID) and its raw message.
	AddMailLog(e *MailLogEntry, raw []byte) error
	// MailLog returns entry id, or ErrNotFound.
	MailLog(id uint64) (*MailLogEntry, error)
	// SetMailLogStatus changes the status and detail of entry id (and,
	// when non-zero, the conversation and message it produced).
	SetMailLogStatus(id uint64, status, detail string, convID, msgID uint64) error
	// MailLogRaw returns the raw message of entry id, or ErrNotFound.
	MailLogRaw(id uint64) ([]byte, error)
	// SetMailLogRaw replaces the raw message of entry id; ErrNotFound when
	// the entry was pruned.
	SetMailLogRaw(id uint64, raw []byte) error
	// ListMailLog returns entries matching q, newest first.
	ListMailLog(q MailLogQuery) ([]MailLogEntry, error)
	// PruneMailLog deletes up to max entries older than before, oldest
	// first; it returns how many it deleted.
	PruneMailLog(before time.Time, max int) (int, error)
	// EvictMailLog deletes the oldest entries while the mail log takes
	// more than maxBytes, at most max of them; it returns how many it
	// deleted (DESKGATE_MAILLOG_MAX_BYTES).
	EvictMailLog(maxBytes int64, max int) (int, error)
}

// GuardTx holds what keeps deskgate from mailing too much: hard-bounced
// addresses in their cooling period and the outbound cap's ledger (SPEC §6).
type GuardTx interface {
	// PutBouncedAddress records a hard bounce.
	PutBouncedAddress(b BouncedAddress) error
	// BouncedAddress returns the hard-bounce record of addr, if any.
	BouncedAddress(addr string) (BouncedAddress, bool, error)
	// RecordOutboundEmail notes that an email about conv was queued to addr at at.
	RecordOutboundEmail(addr string, conv uint64, at time.Time) error
	// CountOutboundEmails counts the emails about conv queued to addr at
	// or after since, and returns the time of the oldest (zero when none).
	CountOutboundEmails(addr string, conv uint64, since time.Time) (int, time.Time, error)
	// PruneOutboundEmails deletes up to max ledger entries older than
	// before, oldest first, and returns how many it deleted.
	PruneOutboundEmails(before time.Time, max int) (int, error)
}
