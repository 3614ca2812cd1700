package store

import "errors"

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique field (an email address) is taken.
var ErrConflict = errors.New("conflict")

// ErrUnavailable is returned when the database cannot be reached (a
// PostgreSQL server gone for a while): a temporary failure, answered with
// SMTP 451 4.3.0 and HTTP 503, never a permanent one.
var ErrUnavailable = errors.New("store unavailable")
