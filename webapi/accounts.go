package webapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

// Accounts (SPEC §10): sign-in, sessions, password links, teams and
// invitations. The sign-in and password routes need no token; every
// other one needs a staff token (a customer's answers 404).

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// clientIP is the request's client address: the peer, or, behind a
// proxy listed in DESKGATE_TRUSTED_PROXIES, what X-Forwarded-For says
// (Options.TrustedProxies).
func clientIP(c echo.Context) string { return c.RealIP() }

func (s *Server) login(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	sess, err := s.svc.Accounts.Login(c.Request().Context(), in.Email, in.Password, clientIP(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store") // a credential (RFC 6749 §5.1)
	return c.JSON(http.StatusOK, loginResponse{Token: sess.Token, ExpiresAt: sess.ExpiresAt.UTC()})
}

func (s *Server) logout(c echo.Context) error {
	if err := s.svc.Accounts.Logout(c.Request().Context(), caller(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) passwordReset(c echo.Context) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	start := time.Now()
	if err := s.svc.Accounts.RequestPasswordReset(c.Request().Context(), in.Email, clientIP(c)); err != nil {
		return err
	}
	// The same answer at the same time for any address.
	if wait := time.Until(start.Add(s.opts.ResetAnswerAfter)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.Request().Context().Done():
			t.Stop()
		}
	}
	return c.NoContent(http.StatusAccepted)
}

func (s *Server) passwordResetConfirm(c echo.Context) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	ended, err := s.svc.Accounts.ConfirmPasswordReset(c.Request().Context(), in.Token, in.Password, clientIP(c))
	if err != nil {
		return err
	}
	// SPEC §10: 204. With ?details=true the answer is 200 and says what
	// ended and which admin-issued tokens still work (the console asks so).
	if c.QueryParam("details") == "true" {
		return c.JSON(http.StatusOK, resetConfirmation(ended))
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) changePassword(c echo.Context) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.svc.Accounts.ChangePassword(c.Request().Context(), caller(c), in.CurrentPassword, in.Password, clientIP(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// teamResponse is a team.
type teamResponse struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	UserIDs   []uint64  `json:"user_ids"`
	CreatedAt time.Time `json:"created_at"`
}

func teamOf(t store.Team) teamResponse {
	ids := t.UserIDs
	if ids == nil {
		ids = []uint64{}
	}
	return teamResponse{ID: t.ID, Name: t.Name, UserIDs: ids, CreatedAt: t.CreatedAt}
}

func (s *Server) createTeam(c echo.Context) error {
	var in struct {
		Name    string   `json:"name"`
		UserIDs []uint64 `json:"user_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.svc.Directory.CreateTeam(c.Request().Context(), caller(c), in.Name, in.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, teamOf(*t))
}

func (s *Server) listTeams(c echo.Context) error {
	ts, err := s.svc.Directory.Teams(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return pageByID(c, "teams", ts, func(t *store.Team) uint64 { return t.ID }, false, func(t *store.Team) teamResponse { return teamOf(*t) })
}

// invitationResponse is an invitation.
type invitationResponse struct {
	ID        uint64     `json:"id"`
	Status    string     `json:"status"`
	ProjectID uint64     `json:"project_id"`
	UserID    uint64     `json:"user_id,omitempty"`
	TeamID    uint64     `json:"team_id,omitempty"`
	InvitedBy uint64     `json:"invited_by"`
	CreatedAt time.Time  `json:"created_at"`
	SettledAt *time.Time `json:"settled_at,omitempty"`
}

func invitationOf(inv *store.Invitation) invitationResponse {
	r := invitationResponse{ID: inv.ID, Status: inv.Status, ProjectID: inv.ProjectID, UserID: inv.UserID, TeamID: inv.TeamID,
		InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt}
	if !inv.SettledAt.IsZero() {
		at := inv.SettledAt
		r.SettledAt = &at
	}
	return r
}

type memberRequest struct {
	UserID uint64 `json:"user_id"`
	TeamID uint64 `json:"team_id"`
}

func (s *Server) invite(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in memberRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	inv, err := s.svc.Accounts.Invite(c.Request().Context(), caller(c), id, in.UserID, in.TeamID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invitationOf(inv))
}

func (s *Server) myInvitations(c echo.Context) error {
	invs, err := s.svc.Accounts.MyInvitations(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	out := []invitationResponse{}
	for i := range invs {
		if status == "" || invs[i].Status == status {
			out = append(out, invitationOf(&invs[i]))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) settleInvitation(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		inv, err := s.svc.Accounts.SettleInvitation(c.Request().Context(), caller(c), id, accept)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, invitationOf(inv))
	}
}

// retryAfter sets Retry-After (RFC 9110 §10.2.3) for a rate-limited answer.
func retryAfter(c echo.Context, err error) {
	var de *bridge.Error
	if errors.As(err, &de) && de.Kind == bridge.KindRateLimited && de.RetryAfter > 0 {
		secs := int64((de.RetryAfter + time.Second - 1) / time.Second)
		c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}
