package webapi

import (
	"context"
	"net/http"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

// Reading and editing what the API writes (SPEC §14): projects, items,
// customers, users, teams and mailboxes.

func (s *Server) directoryRoutes(auth func(method, path string, h echo.HandlerFunc)) {
	auth(http.MethodGet, "/projects", s.listProjects)
	auth(http.MethodGet, "/projects/:id", s.getProject)
	auth(http.MethodGet, "/items", s.listItems)
	auth(http.MethodGet, "/items/:id", s.getItem)
	auth(http.MethodGet, "/customers", s.listCustomers)
	auth(http.MethodGet, "/customers/:id", s.getCustomer)
	auth(http.MethodPatch, "/customers/:id", s.patchCustomer)
	auth(http.MethodGet, "/users/:id", s.getUser)
	auth(http.MethodPatch, "/users/:id", s.patchUser)
	auth(http.MethodDelete, "/users/:id", s.deleteUser)
	auth(http.MethodGet, "/teams/:id", s.getTeam)
	auth(http.MethodPatch, "/teams/:id", s.patchTeam)
	auth(http.MethodDelete, "/teams/:id", s.deleteTeam)
	auth(http.MethodPatch, "/mailboxes/:id", s.patchMailbox)
}

func (s *Server) listProjects(c echo.Context) error {
	ps, err := s.svc.Directory.Projects(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return pageByID(c, "projects", ps, func(p *store.Project) uint64 { return p.ID }, false, viewProject)
}

func (s *Server) getProject(c echo.Context) error {
	return getOne(c, s.svc.Directory.Project, viewProject)
}

func (s *Server) listItems(c echo.Context) error {
	project, err := uintQuery(c, "project_id")
	if err != nil {
		return err
	}
	its, err := s.svc.Directory.Items(c.Request().Context(), caller(c), bridge.ItemFilter{ProjectID: project, Status: c.QueryParam("status")})
	if err != nil {
		return err
	}
	return pageByID(c, "items", its, func(it *store.Item) uint64 { return it.ID }, false, viewItem)
}

func (s *Server) getItem(c echo.Context) error { return getOne(c, s.svc.Directory.Item, viewItem) }

func (s *Server) listCustomers(c echo.Context) error {
	cs, err := s.svc.Directory.Customers(c.Request().Context(), caller(c), bridge.CustomerFilter{Email: c.QueryParam("email"), Q: c.QueryParam("q")})
	if err != nil {
		return err
	}
	return pageByID(c, "customers", cs, func(cu *store.Customer) uint64 { return cu.ID }, false, viewCustomer)
}

func (s *Server) getCustomer(c echo.Context) error {
	return getOne(c, s.svc.Directory.Customer, viewCustomer)
}

func (s *Server) patchCustomer(c echo.Context) error {
	var p bridge.CustomerPatch
	return patchOne(c, &p, func(id uint64) (*store.Customer, error) {
		return s.svc.Directory.UpdateCustomer(c.Request().Context(), caller(c), id, p)
	}, viewCustomer)
}

func (s *Server) getUser(c echo.Context) error { return getOne(c, s.svc.Directory.User, viewUser) }

func (s *Server) patchUser(c echo.Context) error {
	var p bridge.UserPatch
	return patchOne(c, &p, func(id uint64) (*store.User, error) {
		return s.svc.Directory.UpdateUser(c.Request().Context(), caller(c), id, p)
	}, viewUser)
}

// deleteUser retires a user (SPEC §14): 204, and its credentials end.
func (s *Server) deleteUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Directory.RetireUser(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) getTeam(c echo.Context) error {
	return getOne(c, s.svc.Directory.Team, func(t *store.Team) teamResponse { return teamOf(*t) })
}

func (s *Server) patchTeam(c echo.Context) error {
	var p bridge.TeamPatch
	return patchOne(c, &p, func(id uint64) (*store.Team, error) {
		return s.svc.Directory.UpdateTeam(c.Request().Context(), caller(c), id, p)
	}, func(t *store.Team) teamResponse { return teamOf(*t) })
}

func (s *Server) deleteTeam(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Directory.DeleteTeam(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) patchMailbox(c echo.Context) error {
	var p bridge.MailboxPatch
	return patchOne(c, &p, func(id uint64) (*store.Mailbox, error) {
		m, err := s.svc.Mailboxes.UpdateMailbox(c.Request().Context(), caller(c), id, p)
		return &m, err
	}, func(m *store.Mailbox) mailboxView { return mailboxOf(*m) })
}

// getOne answers GET …/{id} with view of what get returns.
func getOne[T, V any](c echo.Context, get func(ctx context.Context, cl bridge.Caller, id uint64) (*T, error), view func(*T) V) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	x, err := get(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view(x))
}

// patchOne decodes the patch into p, applies it with apply and answers
// 200 with the view of the result.
func patchOne[P, T, V any](c echo.Context, p *P, apply func(id uint64) (*T, error), view func(*T) V) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := decode(c, p); err != nil {
		return err
	}
	x, err := apply(id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view(x))
}
