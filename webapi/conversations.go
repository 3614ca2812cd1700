package webapi

import (
	"net/http"
	"strconv"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

func (s *Server) createConversation(c echo.Context) error {
	var in struct {
		ItemID      uint64   `json:"item_id"`
		Kind        string   `json:"kind"`
		Subject     string   `json:"subject"`
		CustomerIDs []uint64 `json:"customer_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	conv, err := s.svc.Conversations.CreateConversation(c.Request().Context(), caller(c), bridge.NewConversation{
		ItemID: in.ItemID, Kind: in.Kind, Subject: in.Subject, CustomerIDs: in.CustomerIDs,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewConversation(conv))
}

// listConversations answers GET /conversations: tab, and the filters
// status, assignee, item_id, customer_id and the search q (bridge.ListQuery).
func (s *Server) listConversations(c echo.Context) error {
	p, err := pageOf(c, "conversations")
	if err != nil {
		return err
	}
	q := bridge.ListQuery{Tab: c.QueryParam("tab"), Status: c.QueryParam("status"), Assignee: c.QueryParam("assignee"), Q: c.QueryParam("q"), Limit: p.limit}
	if p.cursor != "" {
		cc, err := bridge.ParseConversationCursor(p.cursor)
		if err != nil {
			return err
		}
		q.Cursor = &cc
	}
	if q.ItemID, err = optionalID(c, "item_id"); err != nil {
		return err
	}
	if q.CustomerID, err = optionalID(c, "customer_id"); err != nil {
		return err
	}
	rows, next, err := s.svc.Conversations.ConversationRows(c.Request().Context(), caller(c), q)
	if err != nil {
		return err
	}
	if next != nil {
		p.setNext(c, next.String())
	}
	return c.JSON(http.StatusOK, viewAll(rows, viewConversationRow))
}

// optionalID reads an id query parameter; absent is 0.
func optionalID(c echo.Context, name string) (uint64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, badRequest(name + ": must be a positive integer")
	}
	return n, nil
}

func (s *Server) getConversation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	row, err := s.svc.Conversations.ConversationRow(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewConversationRow(&row))
}

func (s *Server) postMessage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body        string `json:"body"`
		AsBot       bool   `json:"as_bot"`
		Attachments []struct {
			Filename    string `json:"filename"`
			ContentType string `json:"content_type"`
			Content     []byte `json:"content"` // base64 in JSON
		} `json:"attachments"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	nm := bridge.NewMessage{Body: in.Body, AsBot: in.AsBot}
	for _, a := range in.Attachments {
		nm.Attachments = append(nm.Attachments, bridge.NewAttachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Content})
	}
	m, err := s.svc.Conversations.PostMessage(c.Request().Context(), caller(c), id, nm)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewMessage(m))
}

func (s *Server) listMessages(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	msgs, err := s.svc.Conversations.Messages(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return pageByID(c, "messages", msgs, func(m *store.Message) uint64 { return m.ID }, false, viewMessage)
}

func (s *Server) getAttachment(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	attID, err := idParam(c, "att")
	if err != nil {
		return err
	}
	var att *store.Attachment
	var data []byte
	if c.Get(signedKey) == true {
		att, data, err = s.svc.Notifications.SignedAttachment(c.Request().Context(), id, attID, c.QueryParam("expires"), c.QueryParam("sig"))
	} else {
		att, data, err = s.svc.Conversations.Attachment(c.Request().Context(), caller(c), id, attID)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", mimeAttachment(att.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	// Never let a browser render mail content from our origin as HTML.
	return c.Blob(http.StatusOK, safeContentType(att.ContentType), data)
}

// removeConversationFollower answers DELETE /conversations/{id}/followers/{user_id}.
func (s *Server) removeConversationFollower(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	user, err := idParam(c, "user_id")
	if err != nil {
		return err
	}
	if err := s.svc.Conversations.RemoveConversationFollower(c.Request().Context(), caller(c), id, user); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// startConversation answers POST /conversations/start: a new external
// conversation with a customer, and its first message.
func (s *Server) startConversation(c echo.Context) error {
	var in struct {
		CustomerEmail string `json:"customer_email"`
		CustomerName  string `json:"customer_name"`
		Subject       string `json:"subject"`
		Body          string `json:"body"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	conv, _, err := s.svc.Conversations.StartConversation(c.Request().Context(), caller(c), bridge.NewExternal{
		CustomerEmail: in.CustomerEmail, CustomerName: in.CustomerName, Subject: in.Subject, Body: in.Body})
	if err != nil {
		return err
	}
	row, err := s.svc.Conversations.ConversationRow(c.Request().Context(), caller(c), conv.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewConversationRow(&row))
}
