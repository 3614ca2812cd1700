package bridge

import "github.com/deskgate/deskgate/store"

// What the domain's functions need of a transaction. A function that
// takes a transaction names the store interfaces it uses (store.PeopleTx,
// interface{ store.PeopleTx; store.WorkTx }, or one of the types here
// when the list is long or shared), not the whole store.Tx, so what it
// may touch is in its signature. The outbox (Outbox.Enqueue), the
// bouncer (Bouncer.Bounced) and the queue's view of the domain
// (RecordEmailOutcome, EmailSeen) take the exported sets below, which the
// outbound package names too; the few functions still taking store.Tx
// are listed, with the reason, in txneeds_test.go.

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

// EnqueueTx is what queueing an outbound email writes (Outbox.Enqueue):
// the queue record with its raw message, and its outbound mail log entry.
type EnqueueTx interface {
	store.QueueTx
	store.MailLogTx
}

// OutcomeTx is what recording an outbound email's outcome writes
// (Messaging.RecordEmailOutcome): its mail log entry, the deliveries it
// carries and, for a hard bounce, the address's cooling period.
type OutcomeTx interface {
	store.GuardTx
	store.MailLogTx
	store.NotificationsTx
}

// BounceTx is what applying a DSN to the outbound email it names writes
// (Bouncer.Bounced): the queue record and the email's outcome.
type BounceTx interface {
	OutcomeTx
	store.QueueTx
}

// TemplateEmailTx is what queueing an email rendered from a template of
// the messaging center writes (Messaging.SendTemplateEmailTx): the
// template read, the outbound cap's ledger and the queued email.
type TemplateEmailTx interface {
	sendingTx
	store.MessagingTx
}

// sendingTx is what queueing an email past the bounce and cap checks
// writes (suppress.go): the outbound cap's ledger and the queued email.
type sendingTx interface {
	EnqueueTx
	store.GuardTx
}

// accountEmailTx is what an account email to a user by their settings
// reads and writes (members.go).
type accountEmailTx interface {
	TemplateEmailTx
	store.PeopleTx
}

// memberEmailTx is what a change of membership or assignment and its
// emails write (members.go).
type memberEmailTx interface {
	accountEmailTx
	store.TeamsTx
	store.WorkTx
}

// passwordLinkTx is what issuing a password link and emailing it writes
// (reset.go).
type passwordLinkTx interface {
	TemplateEmailTx
	store.AccountsTx
}

// notificationSendTx is what emailing a recipient's due deliveries writes
// (timers.go): the email built and queued, the deliveries it carries.
type notificationSendTx interface {
	notificationEmailTx
	sendingTx
	store.NotificationsTx
}

// timerFireTx is what firing an unseen-email timer writes (timers.go).
type timerFireTx interface {
	notificationSendTx
	store.TimersTx
}

// automationEmailTx is what an automation's send_email action reads and
// writes (automationrun.go).
type automationEmailTx interface {
	sendingTx
	store.MessagesTx
	store.MessagingTx
	store.PeopleTx
	store.WorkTx
}

// actionTx is what running an automation's actions writes
// (automationrun.go, automationworker.go): a posted message or queued
// emails.
type actionTx interface {
	automationPostTx
	automationEmailTx
}

// receivingTx is what receiving an inbound email writes (inbound.go): its
// mailbox checkpoint, the flood count, a bounce applied or a message
// posted, and its mail log entry. It is most of store.Tx (not accounts,
// the messaging center, locks, the directory, the outbox or webhooks):
// an inbound email may end in any of those outcomes.
type receivingTx interface {
	inboundPostTx
	BounceTx
	store.MailboxesTx
}
