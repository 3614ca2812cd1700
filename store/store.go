package store

import "errors"

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique field (an email address) is taken.
var ErrConflict = errors.New("conflict")
