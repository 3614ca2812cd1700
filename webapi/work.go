package webapi

import (
	"context"
	"net/http"

	"github.com/deskgate/deskgate/bridge"
	"github.com/labstack/echo/v4"
)

type followerRequest struct {
	UserID uint64 `json:"user_id"`
}

func (s *Server) createProject(c echo.Context) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	p, err := s.svc.Directory.CreateProject(c.Request().Context(), caller(c), in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewProject(p))
}

type followFunc func(ctx context.Context, c bridge.Caller, id, user uint64) error

// addFollower is the shared body of the three POST …/followers endpoints.
func (s *Server) addFollower(c echo.Context, follow followFunc) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in followerRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.UserID == 0 {
		return &bridge.Error{Kind: bridge.KindInvalid, Message: "user_id: required"}
	}
	if err := follow(c.Request().Context(), caller(c), id, in.UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// addProjectFollower adds a user ({user_id}) or a team ({team_id}) as a
// follower of a project (SPEC §10).
func (s *Server) addProjectFollower(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in memberRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	switch {
	case in.UserID != 0 && in.TeamID != 0:
		return &bridge.Error{Kind: bridge.KindInvalid, Message: "user_id or team_id: only one"}
	case in.TeamID != 0:
		err = s.svc.Directory.AddProjectTeam(c.Request().Context(), caller(c), id, in.TeamID)
	case in.UserID != 0:
		err = s.svc.Directory.AddProjectFollower(c.Request().Context(), caller(c), id, in.UserID)
	default:
		return &bridge.Error{Kind: bridge.KindInvalid, Message: "user_id or team_id: required"}
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) addItemFollower(c echo.Context) error {
	return s.addFollower(c, s.svc.Directory.AddItemFollower)
}

func (s *Server) addConversationFollower(c echo.Context) error {
	return s.addFollower(c, s.svc.Conversations.AddConversationFollower)
}

func (s *Server) createItem(c echo.Context) error {
	var in struct {
		ProjectID uint64 `json:"project_id"`
		Title     string `json:"title"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	it, err := s.svc.Directory.CreateItem(c.Request().Context(), caller(c), in.ProjectID, in.Title)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewItem(it))
}

func (s *Server) setAssignees(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		UserIDs *[]uint64 `json:"user_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.UserIDs == nil {
		return &bridge.Error{Kind: bridge.KindInvalid, Message: "user_ids: required (an empty list clears)"}
	}
	it, err := s.svc.Directory.SetAssignees(c.Request().Context(), caller(c), id, *in.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewItem(it))
}
