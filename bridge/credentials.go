package bridge

import (
	"github.com/deskgate/deskgate/store"
)

// A password change or reset ends what a thief of the old password or of
// a session may hold (issue 20): every session of the user and every API
// token minted from one (store.MintedSession, also through another such
// token). Tokens an admin issued, the bootstrap token and tokens minted
// with such tokens stay: they are not the user's to lose, and the reset
// confirmation lists them so the user can ask for them to be revoked.

// mintedBy is how a token c issues for p is recorded (store.Minted*).
func mintedBy(c Caller, p store.Principal) string {
	switch {
	case c.Kind != p.Kind || c.ID != p.ID:
		return store.MintedAdmin
	case c.viaSession:
		return store.MintedSession
	}
	return store.MintedToken
}

// CredentialsEnded is what a password change or reset ended and kept.
type CredentialsEnded struct {
	// Sessions is how many sessions ended.
	Sessions int
	// TokensRevoked are the ids of the API tokens minted from a session
	// that were revoked.
	TokensRevoked []string
	// TokensKept are the user's API tokens that still work (issued by an
	// admin, the bootstrap token, minted with an API token, or the very
	// token that changed the password).
	TokensKept []TokenInfo
	// streams are the TokenIDs whose event streams to close.
	streams []string
}

// endCredentialsTx ends, in tx, every session of user id but keepSession
// ("" none) and every token of it minted from a session but keepTokenID
// ("" none).
func endCredentialsTx(tx credentialsTx, id uint64, keepSession, keepTokenID string) (*CredentialsEnded, error) {
	ended, err := tx.DeleteUserSessions(id, keepSession)
	if err != nil {
		return nil, err
	}
	out := &CredentialsEnded{Sessions: len(ended), streams: ended, TokensRevoked: []string{}, TokensKept: []TokenInfo{}}
	ts, err := tx.Tokens(store.KindUser, id)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Minted != store.MintedSession || t.ID == keepTokenID {
			out.TokensKept = append(out.TokensKept, TokenInfo{ID: t.ID, CreatedAt: t.CreatedAt, LastUsed: t.LastUsed,
				Minted: t.Minted, Current: t.ID == keepTokenID})
			continue
		}
		if err := tx.DeleteToken(store.KindUser, id, t.ID); err != nil {
			return nil, err
		}
		out.TokensRevoked = append(out.TokensRevoked, t.ID)
		out.streams = append(out.streams, t.ID)
	}
	return out, nil
}
