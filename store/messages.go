package store

import "time"

// Author types and message sources (SPEC §7).
const (
	AuthorUser     = "user"
	AuthorCustomer = "customer"
	AuthorBot      = "bot"

	SourceAPI  = "api"
	SourceSMTP = "smtp"
	SourceIMAP = "imap"
)

// Author is who wrote a message, as it was when the message was posted.
type Author struct {
	Type  string `json:"type"` // AuthorUser, AuthorCustomer or AuthorBot
	ID    uint64 `json:"id"`   // 0 for the bot
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Attachment describes a file of a message; its bytes are stored apart.
type Attachment struct {
	ID          uint64 `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	ContentID   string `json:"content_id,omitempty"` // for inline images
	Inline      bool   `json:"inline,omitempty"`
}

// Message is one message of a conversation. Message ids grow with time, so
// within a conversation a smaller id is an earlier message.
type Message struct {
	ID             uint64       `json:"id"`
	ConversationID uint64       `json:"conversation_id"`
	Kind           string       `json:"kind"` // the conversation's kind
	Author         Author       `json:"author"`
	Body           string       `json:"body"`      // the new text only
	HTML           string       `json:"html"`      // sanitized HTML of an email, "" otherwise
	FullText       string       `json:"full_text"` // an email's whole text, quotes included
	Attachments    []Attachment `json:"attachments"`
	Source         string       `json:"source"` // SourceAPI, SourceSMTP or SourceIMAP
	// EmailMessageID is the Message-ID of the email this message came in
	// as (without <>), or the one deskgate gives it when it is emailed.
	EmailMessageID string    `json:"email_message_id"`
	CreatedAt      time.Time `json:"created_at"`
	// Cause names the automation that posted it ("automation 2 “name”"),
	// "" for a message someone wrote.
	Cause string `json:"cause,omitempty"`
	// Unverified: an email whose From could not be proven (it fails
	// DMARC, or is not the recipient of the reply token it used): the
	// author is who it claims to be, unconfirmed (SPEC §12).
	Unverified bool `json:"unverified"`
}

// MessageRef is what the Message-ID index says about an email Message-ID:
// which conversation and message it belongs to and who sent it, so a reused
// Message-ID from another sender never merges into someone else's thread.
type MessageRef struct {
	ConversationID uint64 `json:"conversation_id"`
	MessageID      uint64 `json:"message_id,omitempty"`
	// Sender is the address that sent it (lower-cased); for emails deskgate
	// sent, the recipient it was sent to.
	Sender string `json:"sender"`
}
