package bridge

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Caller is who an operation acts for: a staff user or a customer.
type Caller struct {
	Kind string // store.KindUser or store.KindCustomer
	ID   uint64
	Role string // for users: store.RoleAdmin or store.RoleAgent
	// session is the session token when the caller signed in with one
	// (POST /auth/login), "" for an API token. Never logged.
	session string
	// TokenID is the id of the token the caller authenticated with
	// (store.TokenID), for revocation and the per-token stream cap.
	TokenID string
	// viaSession: a session, or an API token minted from one
	// (store.MintedSession); a token it mints is MintedSession too.
	viaSession bool
}

// IsSession reports whether the caller authenticated with a session token.
func (c Caller) IsSession() bool { return c.session != "" }

// IsAdmin reports whether the caller is an admin user.
func (c Caller) IsAdmin() bool { return c.Kind == store.KindUser && c.Role == store.RoleAdmin }

// IsStaff reports whether the caller is a user (admin or agent).
func (c Caller) IsStaff() bool { return c.Kind == store.KindUser }

// IsCustomer reports whether the caller is a customer.
func (c Caller) IsCustomer() bool { return c.Kind == store.KindCustomer }

// Authenticate returns the caller a bearer token belongs to.
func (s *Accounts) Authenticate(ctx context.Context, token string) (Caller, error) {
	if token == "" {
		return Caller{}, errorf(KindUnauthorized, "missing bearer token")
	}
	var c Caller
	var lastUsed time.Time
	err := s.st.View(ctx, func(tx store.Tx) error {
		if strings.HasPrefix(token, sessionPrefix) {
			var err error
			c, err = s.sessionCaller(tx, token)
			lastUsed = s.clock.Now() // a session is not an API token: nothing to touch
			return err
		}
		p, err := tx.TokenPrincipal(token)
		if err != nil {
			return err
		}
		c, lastUsed = Caller{Kind: p.Kind, ID: p.ID, TokenID: store.TokenID(token), viaSession: p.Minted == store.MintedSession}, p.LastUsed
		if p.Kind == store.KindUser {
			u, err := tx.User(p.ID)
			if err != nil {
				return err
			}
			if !u.RetiredAt.IsZero() {
				return store.ErrNotFound // retired (SPEC §14)
			}
			c.Role = u.Role
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return Caller{}, errorf(KindUnauthorized, "unknown token")
	}
	if err != nil {
		return Caller{}, storeErr(err, "token")
	}
	if now := s.clock.Now(); now.Sub(lastUsed) >= store.TokenTouchEvery {
		// Last use is kept to within TokenTouchEvery: one commit per
		// token per period, not one per request. A failure only loses it.
		err := s.st.Update(ctx, func(tx store.Tx) error { return tx.TouchToken(token, now) })
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("recording a token's last use", "err", err)
		}
	}
	return c, nil
}

// newToken returns a random 256-bit API token, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return "dg_" + base64.RawURLEncoding.EncodeToString(b), nil
}
