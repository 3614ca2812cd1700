package store

import (
	"crypto/sha256"
	"fmt"
)

// Principal kinds: who an API token belongs to.
const (
	KindUser     = "user"
	KindCustomer = "customer"
)

// Principal is the owner of an API token.
type Principal struct {
	Kind string `json:"kind"` // KindUser or KindCustomer
	ID   uint64 `json:"id"`
}

// tokenKey is how a token is stored: its SHA-256, never the token itself.
// Tokens are 256-bit random values, so an unsalted hash is enough.
func tokenKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// PutToken stores the hash of token as belonging to p.
func (t *Tx) PutToken(token string, p Principal) error {
	if err := putJSON(t.b(bTokens), tokenKey(token), p); err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return nil
}

// TokenPrincipal returns the owner of token, or ErrNotFound.
func (t *Tx) TokenPrincipal(token string) (*Principal, error) {
	var p Principal
	ok, err := getJSON(t.b(bTokens), tokenKey(token), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return &p, nil
}
