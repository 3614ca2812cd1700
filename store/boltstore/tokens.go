package boltstore

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// tokenKey is how a token is stored (store.TokenHash).
func tokenKey(token string) []byte { return store.TokenHash(token) }

// PutToken stores the hash of token as belonging to p.
func (t *Tx) PutToken(token string, p store.Principal) error {
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

// Tokens lists the tokens of owner (kind and id), oldest first.
func (t *Tx) Tokens(kind string, id uint64) ([]store.TokenInfo, error) {
	var out []store.TokenInfo
	c := t.b(bTokens).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var p store.Principal
		if err := jsonUnmarshal(v, &p); err != nil {
			return nil, err
		}
		if p.Kind == kind && p.ID == id {
			out = append(out, store.TokenInfo{ID: hex.EncodeToString(k[:8]), Principal: p})
		}
	}
	slices.SortStableFunc(out, func(a, b store.TokenInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// DeleteToken deletes the token with id tokenID of owner (kind and id), or
// returns ErrNotFound (also when it belongs to someone else).
func (t *Tx) DeleteToken(kind string, id uint64, tokenID string) error {
	prefix, err := hex.DecodeString(tokenID)
	if err != nil || len(prefix) != 8 {
		return store.ErrNotFound
	}
	c := t.b(bTokens).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p store.Principal
		if err := jsonUnmarshal(v, &p); err != nil {
			return err
		}
		if p.Kind == kind && p.ID == id {
			return t.b(bTokens).Delete(bytes.Clone(k))
		}
	}
	return store.ErrNotFound
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
