package loopguard

// Class is what kind of sender wrote an inbound mail.
type Class string

// The classes Classify can answer. Only Human mail may start a conversation or
// trigger an email (SPEC §6).
const (
	Human     Class = "human"
	AutoReply Class = "autoreply"
	Bounce    Class = "bounce"
	List      Class = "list"
	Own       Class = "own"
)

// OwnHeader is the header deskgate puts on every email it sends; its value is the
// Hostname. Mail carrying it with our hostname is our own and is dropped.
const OwnHeader = "X-Deskgate-Origin"

// Verdict is the answer of Classify: the class and the rule that decided it.
type Verdict struct {
	Class  Class
	Reason string // which header / rule, in words, e.g. "Auto-Submitted: auto-replied (RFC 3834)"
	DSN    *DSN   // parsed delivery status notification when Class == Bounce (may be partial)
}

// DSN is what a delivery status notification (RFC 3464) or a non-standard bounce says
// about the returned message.
type DSN struct {
	Recipients         []DSNRecipient
	OriginalMessageID  string // Message-ID of the returned message, without <>, if found
	OriginalEnvelopeID string
}

// DSNRecipient is one per-recipient block of a DSN (RFC 3464 §2.3).
type DSNRecipient struct {
	Address    string // Final-Recipient (else Original-Recipient), lower-cased, no type prefix
	Action     string // failed, delayed, delivered, relayed, expanded (lower-cased)
	Status     string // like "5.1.1"
	Diagnostic string // Diagnostic-Code without its type prefix
}

// Config tells the guard who we are.
type Config struct {
	Hostname string   // our hostname: Message-IDs "*@Hostname" are ours
	Domains  []string // our domains
}
