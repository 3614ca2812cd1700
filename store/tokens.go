package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Principal kinds: who an API token belongs to.
const (
	KindUser     = "user"
	KindCustomer = "customer"
)

// Principal is the owner of an API token, and the token's record.
type Principal struct {
	Kind string `json:"kind"` // KindUser or KindCustomer
	ID   uint64 `json:"id"`
	// CreatedAt is when the token was issued (zero for a token issued
	// before it was recorded).
	CreatedAt time.Time `json:"created_at,omitzero"`
	// LastUsed is when the token last authenticated a request, to within
	// TokenTouchEvery (zero: never).
	LastUsed time.Time `json:"last_used,omitzero"`
}

// TokenTouchEvery is how stale LastUsed may get: a request rewrites it only
// when it is older than this, so reads do not each cost a commit.
const TokenTouchEvery = 5 * time.Minute

// TokenInfo is a token as its owner may see it: never the secret.
type TokenInfo struct {
	// ID names the token for listing and revoking: the first 8 bytes of
	// its SHA-256 in hex. It reveals nothing of the token.
	ID string
	Principal
}

// TokenID is the id of token (see TokenInfo.ID).
func TokenID(token string) string { return hex.EncodeToString(tokenKey(token)[:8]) }

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

// Tokens lists the tokens of owner (kind and id), oldest first.
func (t *Tx) Tokens(kind string, id uint64) ([]TokenInfo, error) {
	var out []TokenInfo
	c := t.b(bTokens).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var p Principal
		if err := jsonUnmarshal(v, &p); err != nil {
			return nil, err
		}
		if p.Kind == kind && p.ID == id {
			out = append(out, TokenInfo{ID: hex.EncodeToString(k[:8]), Principal: p})
		}
	}
	slices.SortStableFunc(out, func(a, b TokenInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// DeleteToken deletes the token with id tokenID of owner (kind and id), or
// returns ErrNotFound (also when it belongs to someone else).
func (t *Tx) DeleteToken(kind string, id uint64, tokenID string) error {
	prefix, err := hex.DecodeString(tokenID)
	if err != nil || len(prefix) != 8 {
		return ErrNotFound
	}
	c := t.b(bTokens).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p Principal
		if err := jsonUnmarshal(v, &p); err != nil {
			return err
		}
		if p.Kind == kind && p.ID == id {
			return t.b(bTokens).Delete(bytes.Clone(k))
		}
	}
	return ErrNotFound
}

// TouchToken records that token was used at at; a token revoked meanwhile
// stays revoked (ErrNotFound).
func (t *Tx) TouchToken(token string, at time.Time) error {
	p, err := t.TokenPrincipal(token)
	if err != nil {
		return err
	}
	p.LastUsed = at
	return t.PutToken(token, *p)
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
