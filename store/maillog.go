package store

import "time"

// Mail log directions.
const (
	DirInbound  = "inbound"
	DirOutbound = "outbound"
)

// MailLogEntry records one inbound or outbound email (SPEC §6). Entries and
// their raw messages are pruned after the log retention; conversations and
// messages are not.
type MailLogEntry struct {
	ID        uint64    `json:"id"`
	Direction string    `json:"direction"` // DirInbound or DirOutbound
	At        time.Time `json:"at"`        // when it was received or queued
	From      string    `json:"from"`      // envelope or header sender
	To        string    `json:"to"`        // recipients, comma separated
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"` // the email's Message-ID, without <>
	// Status: inbound threaded|created|suppressed|bounce|rejected;
	// outbound queued|sent|deferred|bounced|cancelled.
	Status string `json:"status"`
	// Detail says why in words: the rule, the header, the upstream's reply.
	Detail string `json:"detail"`
	// Class is the loop guard's verdict (human, autoreply, bounce, list, own).
	Class          string    `json:"class,omitempty"`
	ConversationID uint64    `json:"conversation_id,omitempty"`
	MessageIDInt   uint64    `json:"message_id_internal,omitempty"`
	Size           int       `json:"size"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Source is how an inbound email came: "smtp" or "imap" (SourceSMTP,
	// SourceIMAP); empty in entries written before it was recorded.
	Source string `json:"source,omitempty"`
	// Auth is what the sender checks found for an inbound mail (SPEC
	// §12); nil when none ran (outbound, checks off, older entries).
	Auth *MailAuth `json:"auth,omitempty"`
	// AutoAnswer says, for an inbound mail, whether an automatic answer
	// may go to its sender, and AutoAnswerReason why (loopguard.AutoAnswer);
	// nil for outbound, rejected and older entries.
	AutoAnswer       *bool  `json:"auto_answer,omitempty"`
	AutoAnswerReason string `json:"auto_answer_reason,omitempty"`
}

// MailAuth is the verdict of the sender checks on one inbound mail, each
// an RFC 8601 result word (pass, fail, softfail, neutral, none,
// temperror, permerror), and the reason in words.
type MailAuth struct {
	SPF    string `json:"spf"`
	DKIM   string `json:"dkim"`
	DMARC  string `json:"dmarc"`
	ARC    string `json:"arc"`
	Reason string `json:"reason,omitempty"`
}

// MailLogQuery selects mail log entries, newest first.
type MailLogQuery struct {
	Direction string    // "" for both
	Since     time.Time // only entries at or after this
	Limit     int       // 0 means 100
	BeforeID  uint64    // for paging: only entries with a smaller id
}
