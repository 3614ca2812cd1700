package webapi

import (
	"context"
	"net/http"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

type tokenResponse struct {
	Token string `json:"token"`
}

// me answers who the token belongs to.
func (s *Server) me(c echo.Context) error {
	me, err := s.svc.Accounts.Me(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

func (s *Server) createUser(c echo.Context) error {
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := s.svc.Directory.CreateUser(c.Request().Context(), caller(c), in.Email, in.Name, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewUser(u))
}

// listUsers answers the staff users (admins only).
func (s *Server) listUsers(c echo.Context) error {
	us, err := s.svc.Directory.Users(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return pageByID(c, "users", us, func(u *store.User) uint64 { return u.ID }, false, viewUser)
}

func (s *Server) createUserToken(c echo.Context) error {
	return s.issueToken(c, s.svc.Directory.CreateUserToken)
}

func (s *Server) createCustomerToken(c echo.Context) error {
	return s.issueToken(c, s.svc.Directory.CreateCustomerToken)
}

type tokenFunc func(ctx context.Context, c bridge.Caller, id uint64) (string, error)

func (s *Server) issueToken(c echo.Context, issue tokenFunc) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	tok, err := issue(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tokenResponse{tok})
}

func (s *Server) getSettings(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	st, err := s.svc.Mailboxes.Settings(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewSettings(st))
}

func (s *Server) putSettings(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var p bridge.SettingsPatch
	if err := decode(c, &p); err != nil {
		return err
	}
	st, err := s.svc.Mailboxes.UpdateSettings(c.Request().Context(), caller(c), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewSettings(st))
}

func (s *Server) createCustomer(c echo.Context) error {
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	cu, err := s.svc.Directory.CreateCustomer(c.Request().Context(), caller(c), in.Email, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewCustomer(cu))
}
