package bridge

import "github.com/deskgate/deskgate/store"

// What the domain's functions need of a transaction. A function that
// takes a transaction names the store interfaces it uses (store.PeopleTx,
// interface{ store.PeopleTx; store.WorkTx }, or one of the types here
// when the list is long or shared), not the whole store.Tx, so what it
// may touch is in its signature. Functions that hand the transaction to
// the outbox (Outbox.Enqueue) or to code outside the package still take
// store.Tx.

// accessTx is what deciding who may see a project, item or conversation
// reads (access.go): people, teams and the work they follow.
type accessTx interface {
	store.PeopleTx
	store.TeamsTx
	store.WorkTx
}

// threadingTx is what finding the conversation of an inbound email reads
// (threading.go).
type threadingTx interface {
	accessTx
	store.MessagesTx
}

// deliveryTx is what delivering a message to its recipients writes
// (notify.go): deliveries and their timers.
type deliveryTx interface {
	accessTx
	store.NotificationsTx
	store.TimersTx
}

// postingTx is what posting a message writes (messages.go): the message
// and its deliveries.
type postingTx interface {
	deliveryTx
	store.MessagesTx
}

// inboundPostTx is what posting an inbound email writes (threading.go):
// a posted message and its mail log entry.
type inboundPostTx interface {
	postingTx
	store.MailLogTx
}

// automationPostTx is what an automation's post action writes
// (automationrun.go): a posted message, read against its templates.
type automationPostTx interface {
	postingTx
	store.MessagingTx
}

// eventQueueTx is what queueing an automation event for an inbound
// message writes (automationrun.go).
type eventQueueTx interface {
	store.MessagesTx
	store.MessagingTx
	store.OutboxTx
	store.WorkTx
}

// quietUserTx is what silencing a retired user writes (edits.go): their
// pending deliveries and timers, follows and team memberships.
type quietUserTx interface {
	store.DirectoryTx
	store.NotificationsTx
	store.PeopleTx
	store.TeamsTx
	store.TimersTx
}

// notificationEmailTx is what building a notification email reads
// (timers.go).
type notificationEmailTx interface {
	store.MessagesTx
	store.MessagingTx
	store.PeopleTx
	store.WorkTx
}

// visibilityTx is what a user's conversation_visibility reads
// (access.go): the user and the teams through which they follow.
type visibilityTx interface {
	store.PeopleTx
	store.TeamsTx
}

// workPeopleTx reads projects, items and conversations with the people
// on them.
type workPeopleTx interface {
	store.PeopleTx
	store.WorkTx
}

// conversationTx reads a conversation (or its project and item) and its
// messages.
type conversationTx interface {
	store.MessagesTx
	store.WorkTx
}

// rowTx is what a conversation row reads (conversationrows.go).
type rowTx interface {
	conversationTx
	store.PeopleTx
}

// credentialsTx is what sessions and tokens touch (sessions.go,
// credentials.go): the credentials and the people they belong to.
type credentialsTx interface {
	store.AccountsTx
	store.PeopleTx
}

// seenTx is what marking deliveries seen writes (seen.go): the
// deliveries and their timers.
type seenTx interface {
	store.NotificationsTx
	store.TimersTx
}

// eventTx is what queueing an automation event writes
// (automationrun.go).
type eventTx interface {
	store.MessagingTx
	store.OutboxTx
}

// mailboxCheckpointTx is what advancing an IMAP mailbox's checkpoint
// writes (mailboxes.go).
type mailboxCheckpointTx interface {
	store.MailboxesTx
	store.MessagesTx
}
