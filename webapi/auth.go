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
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="deskgate"`)
		}
		caller, err := s.svc.Authenticate(c.Request().Context(), strings.TrimSpace(tok))
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="deskgate"`)
			return err
		}
		c.Set(callerKey, caller)
		return next(c)
	}
}

// caller returns the authenticated caller of the request.
func caller(c echo.Context) bridge.Caller {
	cl, _ := c.Get(callerKey).(bridge.Caller)
	return cl
}
