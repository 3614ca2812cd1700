package store

import "context"

// Secrets keeps named secrets (the reply-token key, PEM DKIM keys): the
// data directory's files for the
// embedded store, a database table when several nodes share PostgreSQL
// (SPEC §8: every node signs alike). LoadOrCreate returns the secret
// stored under name, storing create's result first when there is none;
// when two callers race, both get the one that was stored first.
type Secrets interface {
	LoadOrCreate(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error)
}
