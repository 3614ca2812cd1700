package store

import (
	"crypto/sha256"
	"encoding/hex"
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
	// Minted says how the token was issued (Minted* constants; "" for a
	// token issued before it was recorded). A password change or reset
	// ends the MintedSession tokens of the user with its sessions.
	Minted string `json:"minted,omitempty"`
}

// How a token was minted (Principal.Minted).
const (
	// MintedSession: by its owner signed in with a session, or from a
	// token that was itself MintedSession (a stolen session cannot
	// launder a token through another token).
	MintedSession = "session"
	// MintedToken: by its owner with an API token not minted from a session.
	MintedToken = "token"
	// MintedAdmin: by an admin for another user or a customer.
	MintedAdmin = "admin"
	// MintedBootstrap: DESKGATE_BOOTSTRAP_TOKEN.
	MintedBootstrap = "bootstrap"
)

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

// TokenHash is how a token is stored: its SHA-256, never the token itself.
// Tokens are 256-bit random values, so an unsalted hash is enough.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// TokenID is the id of token (see TokenInfo.ID).
func TokenID(token string) string { return hex.EncodeToString(TokenHash(token)[:8]) }
