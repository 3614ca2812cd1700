package bridge

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/store"
)

// API tokens can be listed and revoked by whoever may issue them (an
// admin for anyone, a user or a customer for itself). A revoked token is
// refused from the next request on, and the event streams it opened are
// closed at once (streams.go).

// TokenInfo is a token as the API lists it: never the secret.
type TokenInfo struct {
	ID        string
	CreatedAt time.Time // zero for a token issued before this was recorded
	LastUsed  time.Time // zero: never; kept to within store.TokenTouchEvery
	Minted    string    // how it was issued: store.Minted*, "" unknown
	Current   bool      // the token of this very request
}

// tokenAccess allows an admin for any owner and an owner for itself.
func tokenAccess(c Caller, kind string, id uint64) error {
	switch {
	case c.IsAdmin(), c.Kind == kind && c.ID == id:
		return nil
	case c.IsStaff():
		return errorf(KindForbidden, "only an admin may see or revoke another's tokens")
	}
	return notFound(kind, id)
}

// ownerExists is ErrNotFound unless the user or customer exists.
func ownerExists(tx store.PeopleTx, kind string, id uint64) error {
	if kind == store.KindUser {
		_, err := tx.User(id)
		return err
	}
	_, err := tx.Customer(id)
	return err
}

// Tokens lists the tokens of the user or customer (kind, id), oldest first.
func (s *Accounts) Tokens(ctx context.Context, c Caller, kind string, id uint64) ([]TokenInfo, error) {
	if err := tokenAccess(c, kind, id); err != nil {
		return nil, err
	}
	var ts []store.TokenInfo
	err := s.st.View(ctx, func(tx store.Tx) error {
		if err := ownerExists(tx, kind, id); err != nil {
			return err
		}
		var err error
		ts, err = tx.Tokens(kind, id)
		return err
	})
	if err != nil {
		return nil, storeErr(err, kind)
	}
	out := make([]TokenInfo, 0, len(ts))
	for _, t := range ts {
		out = append(out, TokenInfo{ID: t.ID, CreatedAt: t.CreatedAt, LastUsed: t.LastUsed, Minted: t.Minted, Current: t.ID == c.TokenID && c.Kind == kind && c.ID == id})
	}
	return out, nil
}

// RevokeToken deletes token tokenID of the user or customer (kind, id) and
// closes the event streams it holds open.
func (s *Accounts) RevokeToken(ctx context.Context, c Caller, kind string, id uint64, tokenID string) error {
	if err := tokenAccess(c, kind, id); err != nil {
		return err
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if err := ownerExists(tx, kind, id); err != nil {
			return err
		}
		if err := tx.DeleteToken(kind, id, tokenID); err != nil {
			return &Error{Kind: KindNotFound, Message: "token " + tokenID + " not found", Err: err}
		}
		return nil
	})
	if err != nil {
		return storeErr(err, kind)
	}
	s.streams.closeToken(tokenID)
	s.log.Info("token revoked", "owner", kind, "id", id, "token_id", tokenID, "by", c.Kind, "by_id", c.ID)
	return nil
}
