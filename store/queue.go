package store

import "time"

// Outbound email states. An email is pending while it is OutboundQueued or
// OutboundDeferred (it sits in the due index); the other states are final,
// except that a later DSN may still turn a sent email bounced.
const (
	OutboundQueued    = "queued"    // not attempted yet, or the last attempt was cut short
	OutboundDeferred  = "deferred"  // the last attempt failed temporarily (4xx, network)
	OutboundSent      = "sent"      // the upstream answered 250 to the end of DATA
	OutboundBounced   = "bounced"   // 5xx, queue lifetime over, or a DSN reported failure
	OutboundCancelled = "cancelled" // every message it carries was seen in the app before it left
	// OutboundCaptured: DESKGATE_OUTBOUND=capture kept it (SPEC §5); it
	// never left the machine. Also the mail log status and the
	// deliveries' email_status of such an email.
	OutboundCaptured = "captured"
)

// OutboundEmail is one email of the outbound queue (SPEC §5), one recipient
// each. The record is written by the queue only; it stays after the email
// is final (without its raw message) so a late DSN still finds it, and is
// pruned with the mail log retention once final.
type OutboundEmail struct {
	// ID is the queue id: the bounce token and the email_deliveries link
	// name it. Assigned by NewOutboundID, never reused.
	ID uint64 `json:"id"`
	// MailLogID is the outbound mail log entry of this email (0: none).
	// That entry may be pruned before the email is final; the queue
	// tolerates its absence.
	MailLogID uint64 `json:"maillog_id"`
	// Recipient is the RCPT TO address.
	Recipient string `json:"recipient"`
	// EnvelopeFrom is the MAIL FROM address: the per-email VERP bounce
	// address bounce+TOKEN@<first domain>.
	EnvelopeFrom string `json:"envelope_from"`
	// MessageID is the email's Message-ID without <> (also indexed, for
	// DSNs that only quote the returned message).
	MessageID string `json:"message_id"`
	// ConversationID is the conversation the email is about (0: none,
	// an automation's email about an item).
	ConversationID uint64 `json:"conversation_id"`
	// Cause says why it was sent (which automation); the mail log's and
	// the deliveries' detail name it.
	Cause string `json:"cause,omitempty"`
	// State is one of the Outbound* constants.
	State string `json:"state"`
	// Signed says whether the stored raw message carries its DKIM
	// signatures yet (they are added once, before the first attempt).
	Signed bool `json:"signed"`
	// RawNotLogged: the mail log entry keeps no raw copy (the email
	// carries a password link, bridge.Email.CarriesCredential).
	RawNotLogged bool `json:"raw_not_logged,omitempty"`
	// QueuedAt is when the email was enqueued; the queue lifetime counts
	// from here.
	QueuedAt time.Time `json:"queued_at"`
	// Attempts counts delivery attempts started. It is incremented and
	// committed BEFORE each dial, so a crash mid-attempt is counted.
	Attempts int `json:"attempts"`
	// LastAttempt is when the last attempt started (zero: none yet).
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// NextAttempt is when the email is due next while pending. An attempt
	// in progress has already moved it to the retry time, so an attempt
	// cut short by a crash is retried on the schedule, not at once.
	NextAttempt time.Time `json:"next_attempt"`
	// LastResult is the last attempt's outcome in words: the upstream's
	// reply ("451 4.7.1 try later") or the network error.
	LastResult string `json:"last_result"`
	// DoneAt is when the email became final (zero while pending).
	DoneAt time.Time `json:"done_at,omitzero"`
}

// Pending reports whether the email still waits for delivery.
func (o *OutboundEmail) Pending() bool {
	return o.State == OutboundQueued || o.State == OutboundDeferred
}
