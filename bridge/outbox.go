package bridge

import (
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// Outbox is where the domain hands the emails it decides to send. The
// outbound package implements it (compose, DKIM-sign, queue); the domain
// only says what to send to whom.
type Outbox interface {
	// Enqueue queues e inside tx, so the email is queued if and only if
	// the transaction commits; it returns the queued email's id.
	Enqueue(tx EnqueueTx, e *Email) (uint64, error)
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
	ReplyTo    string   // the recipient's reply+TOKEN@ address; "" for none
	FromName   string   // display name: the author(s)
	// Rendered is the email's subject and bodies from its template (SPEC
	// §9). The subject gets the conversation's [#id] tag when composed.
	Rendered templates.Rendered
	// Template names the template it was rendered from.
	Template string
	// Files are the attachments the email carries as MIME parts (those
	// beyond MaxEmailAttachmentBytes are links in the bodies instead).
	Files []EmailFile
	// Cause says why the email was sent (which automation), for the mail
	// log's detail and the deliveries'.
	Cause string
}

// CarriesCredential reports whether the email holds a live credential (a
// welcome or password-reset email: its single-use set-password link). Such
// an email's raw text is not kept in the mail log, where any admin could
// read the link and take the account over; the queue keeps it only until
// the email is done.
func (e *Email) CarriesCredential() bool {
	return e.Template == TemplateWelcome || e.Template == TemplatePasswordReset
}

// EmailFile is an attachment an email carries.
type EmailFile struct {
	store.Attachment
	Data []byte
}

// BounceRef names the outbound email a delivery status notification is
// about: by its VERP bounce token (EmailID), or, for a DSN sent elsewhere,
// by the Message-ID of the returned message.
type BounceRef struct {
	EmailID   uint64 // from bounce+TOKEN@; 0 when unknown
	MessageID string // Message-ID of the returned message, without <>
}

// Bouncer applies a failure reported later by a DSN (RFC 3464) to the
// outbound email it names: the email, its mail log entry and its
// deliveries become bounced. The outbound package implements it; the
// domain calls it inside the transaction that stores the DSN's mail log
// entry. It reports whether it found the email.
type Bouncer interface {
	Bounced(tx BounceTx, ref BounceRef, status, detail string) (bool, error)
}
