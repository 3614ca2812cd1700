package boltstore

import (
	"crypto/sha256"
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// tokenKey is how a token is stored: its SHA-256, never the token itself.
// Tokens are 256-bit random values, so an unsalted hash is enough.
func tokenKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// PutToken stores the hash of token as belonging to p.
func (t *Tx) PutToken(token string, p store.Principal) error {
	t.writes++
	if err := putJSON(t.b(bTokens), tokenKey(token), p); err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return nil
}

// TokenPrincipal returns the owner of token, or ErrNotFound.
func (t *Tx) TokenPrincipal(token string) (*store.Principal, error) {
	var p store.Principal
	ok, err := getJSON(t.b(bTokens), tokenKey(token), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &p, nil
}
