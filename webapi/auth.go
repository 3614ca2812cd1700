package webapi

import (
	"strings"

	"github.com/deskgate/deskgate/bridge"
	"github.com/labstack/echo/v4"
)

const callerKey = "deskgate.caller"

// authenticate resolves "Authorization: Bearer TOKEN" to a caller; a
// missing or unknown token answers 401.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		caller, err := s.svc.Accounts.Authenticate(c.Request().Context(), bearerToken(c.Request().Header.Get(echo.HeaderAuthorization)))
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="deskgate"`)
			return err
		}
		c.Set(callerKey, caller)
		return next(c)
	}
}

// bearerToken is the token of an "Authorization: Bearer TOKEN" header
// (RFC 6750 §2.1; the scheme name is case-insensitive, RFC 7235 §2.1), or
// "" (a missing token) for any other header.
func bearerToken(h string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// caller returns the authenticated caller of the request.
func caller(c echo.Context) bridge.Caller {
	cl, _ := c.Get(callerKey).(bridge.Caller)
	return cl
}

const signedKey = "deskgate.signed"

// authenticateUnlessSigned lets a request with a sig parameter (a signed
// download link from an email) through to be checked by its handler, and
// authenticates any other.
func (s *Server) authenticateUnlessSigned(next echo.HandlerFunc) echo.HandlerFunc {
	auth := s.authenticate(next)
	return func(c echo.Context) error {
		if c.QueryParam("sig") != "" && c.Request().Header.Get(echo.HeaderAuthorization) == "" {
			c.Set(signedKey, true)
			return next(c)
		}
		return auth(c)
	}
}
