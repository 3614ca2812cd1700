package bridge

import (
	"errors"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// ErrorKind classifies a domain error so each transport can map it to its
// own protocol (HTTP status, SMTP reply).
type ErrorKind string

// The error kinds.
const (
	KindInvalid      ErrorKind = "invalid"      // bad or missing field (HTTP 422)
	KindUnauthorized ErrorKind = "unauthorized" // no or unknown token (HTTP 401)
	KindForbidden    ErrorKind = "forbidden"    // known caller, not allowed (HTTP 403)
	KindNotFound     ErrorKind = "not_found"    // absent, or not visible to the caller (HTTP 404)
	KindConflict     ErrorKind = "conflict"     // unique field taken (HTTP 409)
	KindUnavailable  ErrorKind = "unavailable"  // storage failed; try again (HTTP 503)
	KindRateLimited  ErrorKind = "rate_limited" // too many attempts; RetryAfter says when (HTTP 429)
)

// Error is a domain error with a kind and a message meant for the caller.
type Error struct {
	Kind    ErrorKind
	Message string
	Err     error // cause, not shown
	// Code, when set, is the error code shown instead of the kind.
	Code string
	// RetryAfter is how long to wait, for KindRateLimited.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// notFound is the answer for anything absent or not visible: a caller
// never learns that something it may not see exists.
func notFound(what string, id uint64) *Error {
	return errorf(KindNotFound, "%s %d not found", what, id)
}

// KindOf returns the kind of err: its *Error's kind, not_found for the
// store's ErrNotFound, conflict for ErrConflict, else unavailable.
func KindOf(err error) ErrorKind {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.Is(err, store.ErrNotFound):
		return KindNotFound
	case errors.Is(err, store.ErrConflict):
		return KindConflict
	}
	return KindUnavailable
}

// storeErr turns a store failure into a domain error, keeping not-found and
// conflict meaningful and hiding internals otherwise.
func storeErr(err error, what string) error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, store.ErrNotFound):
		return &Error{Kind: KindNotFound, Message: what + " not found", Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Kind: KindConflict, Message: what + " already exists", Err: err}
	}
	return &Error{Kind: KindUnavailable, Message: "storage unavailable", Err: err}
}
