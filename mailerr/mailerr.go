// Package mailerr holds errors that carry their SMTP meaning: a reply code,
// an enhanced status code (RFC 3463) and whether the failure is temporary.
// The domain returns them; transports (SMTP server, outbound client, mail
// log) read them, so no transport has to guess a code from an error string.
package mailerr

import (
	"errors"
	"fmt"
)

// Error is a failure with an SMTP reply code and enhanced status code.
type Error struct {
	Code     int    // SMTP reply code, e.g. 550
	Enhanced string // RFC 3463 enhanced status, e.g. "5.1.1"
	Message  string // human readable text for the reply line
	Err      error  // optional cause, not shown to the peer
}

// Error returns "550 5.1.1 message".
func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s %s", e.Code, e.Enhanced, e.Message)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the failure may go away on retry (4xx).
func (e *Error) Temporary() bool { return e.Code >= 400 && e.Code < 500 }

// New makes an error with the given codes.
func New(code int, enhanced, msg string) *Error {
	return &Error{Code: code, Enhanced: enhanced, Message: msg}
}

// Common errors of inbound mail (SPEC §3).
var (
	// ErrRelayDenied: the recipient's domain is not ours (never an open relay).
	ErrRelayDenied = New(550, "5.7.1", "relay access denied")
	// ErrNoSuchUser: the local part is not one we accept.
	ErrNoSuchUser = New(550, "5.1.1", "no such user")
	// ErrTooBig: the message exceeds the size limit.
	ErrTooBig = New(552, "5.3.4", "message too big")
	// ErrTooManyHops: too many Received headers, probably a loop.
	ErrTooManyHops = New(554, "5.4.6", "too many hops, mail loop suspected")
)

// Storage wraps a storage failure as 451 4.3.0: the sender keeps the
// message and retries, so nothing is lost (never a permanent 5xx).
func Storage(err error) *Error {
	return &Error{Code: 451, Enhanced: "4.3.0", Message: "temporary storage failure, try again later", Err: err}
}

// As returns the *Error in err's chain, or a 451 4.3.0 wrapping err when it
// carries no SMTP meaning (an unknown failure is treated as temporary).
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Storage(err)
}
