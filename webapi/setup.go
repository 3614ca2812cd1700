package webapi

import (
	"net/http"
	"time"

	"github.com/deskgate/deskgate/console"
	"github.com/labstack/echo/v4"
)

// First run (SPEC §10): the page of the setup link serve prints while the
// store has no admin, and the call that page makes.

// setupResponse is the answer to POST /api/v1/setup: the first admin and
// a session for them.
type setupResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userView  `json:"user"`
}

// setupRoutes registers GET /setup (the console's setup page) and POST
// /api/v1/setup (no bearer token: the link's token is the credential).
func (s *Server) setupRoutes(g *echo.Group) {
	s.e.GET("/setup", echo.WrapHandler(console.SetupPage()))
	s.e.GET("/console/setup.js", echo.WrapHandler(console.Asset("setup.js")))
	g.POST("/setup", s.setup)
}

func (s *Server) setup(c echo.Context) error {
	var in struct {
		Token    string `json:"token"`
		Email    string `json:"email"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	u, sess, err := s.svc.Accounts.CompleteSetup(c.Request().Context(), in.Token, in.Email, in.Name, in.Password, clientIP(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store") // a credential (RFC 6749 §5.1)
	return c.JSON(http.StatusCreated, setupResponse{Token: sess.Token, ExpiresAt: sess.ExpiresAt.UTC(), User: viewUser(u)})
}
