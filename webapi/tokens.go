package webapi

import (
	"net/http"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

// tokenView is a token in GET /users/{id}/tokens and /customers/{id}/tokens:
// its id, when it was issued and last used, never the secret.
type tokenView struct {
	ID         string     `json:"id"`
	CreatedAt  *time.Time `json:"created_at"`   // null for a token issued before this was recorded
	LastUsedAt *time.Time `json:"last_used_at"` // null: never used
	// Minted is how it was issued: session, token, admin, bootstrap, or
	// "" for a token issued before this was recorded.
	Minted  string `json:"minted"`
	Current bool   `json:"current"` // the token of this request
}

func tokenViewOf(t bridge.TokenInfo) tokenView {
	return tokenView{ID: t.ID, CreatedAt: timeOrNil(t.CreatedAt), LastUsedAt: timeOrNil(t.LastUsed), Minted: t.Minted, Current: t.Current}
}

// resetConfirmationView answers POST /auth/password-reset/confirm: what
// ended, and the tokens that still work (an admin's, the bootstrap one),
// so the user can have them revoked.
type resetConfirmationView struct {
	SessionsEnded int         `json:"sessions_ended"`
	TokensRevoked []string    `json:"tokens_revoked"`
	TokensKept    []tokenView `json:"tokens_kept"`
}

func resetConfirmation(e *bridge.CredentialsEnded) resetConfirmationView {
	v := resetConfirmationView{SessionsEnded: e.Sessions, TokensRevoked: e.TokensRevoked, TokensKept: []tokenView{}}
	for _, t := range e.TokensKept {
		v.TokensKept = append(v.TokensKept, tokenViewOf(t))
	}
	return v
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) listUserTokens(c echo.Context) error     { return s.listTokens(c, store.KindUser) }
func (s *Server) listCustomerTokens(c echo.Context) error { return s.listTokens(c, store.KindCustomer) }
func (s *Server) revokeUserToken(c echo.Context) error    { return s.revokeToken(c, store.KindUser) }
func (s *Server) revokeCustomerToken(c echo.Context) error {
	return s.revokeToken(c, store.KindCustomer)
}

func (s *Server) listTokens(c echo.Context, kind string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ts, err := s.svc.Accounts.Tokens(c.Request().Context(), caller(c), kind, id)
	if err != nil {
		return err
	}
	out := make([]tokenView, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenViewOf(t))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) revokeToken(c echo.Context, kind string) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Accounts.RevokeToken(c.Request().Context(), caller(c), kind, id, c.Param("token_id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
