package mailparse

import (
	"fmt"
	"time"

	"github.com/emersion/go-message/mail"
)

// Address is one mailbox of an address header (RFC 5322 §3.4).
type Address struct {
	Name  string // display name, RFC 2047 decoded
	Email string // addr-spec, lower-cased; "" if unparsable
}

// Attachment is a non-body part of a message: a file, an inline image
// referenced from the HTML by cid: (RFC 2392), or an attached message/rfc822.
type Attachment struct {
	Filename    string // RFC 2231 / RFC 2047 decoded; never "": named from the subject or type when the part names nothing, made distinct when two collide
	ContentType string // media type, lower-cased, without parameters
	ContentID   string // Content-ID without <> (RFC 2045 §7), "" if none
	Inline      bool   // Content-Disposition inline, or a Content-ID without disposition
	Data        []byte // decoded content (transfer encoding removed)
}

// Message is what a raw message says, decoded to UTF-8.
type Message struct {
	Header     mail.Header // top-level header, as read
	Subject    string      // RFC 2047 decoded, UTF-8
	From       Address
	To         []Address
	Cc         []Address
	ReplyTo    []Address
	Date       time.Time // zero if missing or unparsable
	MessageID  string    // without <>, "" if none
	InReplyTo  []string  // without <>, lenient parsing
	References []string  // without <>, lenient parsing, oldest first

	Text      string // whole text in UTF-8 (text/plain, else HTML turned to text)
	HTML      string // sanitized HTML, "" if none
	ReplyText string // only the new reply (see ExtractReply); "" when nothing new was written
	// Forwarded: the sender forwarded a message (a "Fwd:" subject, or a
	// forward marker in mail that answers nothing); ReplyText then keeps
	// the forwarded message whole (ExtractReplyForward).
	Forwarded bool
	// HeaderCharset is the charset raw 8-bit header text was read in (the
	// body's declared one, else a guessed one); "" when the header was
	// ASCII or UTF-8.
	HeaderCharset string
	Attachments   []Attachment
	Errors        []string // non-fatal problems found while parsing
}

// maxErrors bounds Errors: a hostile message could otherwise produce one
// per part.
const maxErrors = 50

// addError records a non-fatal problem.
func (m *Message) addError(format string, args ...any) {
	switch {
	case len(m.Errors) < maxErrors:
		m.Errors = append(m.Errors, fmt.Sprintf(format, args...))
	case len(m.Errors) == maxErrors:
		m.Errors = append(m.Errors, "more problems not listed")
	}
}
