package webapi

import (
	"net/http"

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
	conv, err := s.svc.CreateConversation(c.Request().Context(), caller(c), bridge.NewConversation{
		ItemID: in.ItemID, Kind: in.Kind, Subject: in.Subject, CustomerIDs: in.CustomerIDs,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewConversation(conv))
}

func (s *Server) listConversations(c echo.Context) error {
	p, err := pageOf(c, "conversations")
	if err != nil {
		return err
	}
	var cur *bridge.ConversationCursor
	if p.cursor != "" {
		cc, err := bridge.ParseConversationCursor(p.cursor)
		if err != nil {
			return err
		}
		cur = &cc
	}
	convs, next, err := s.svc.ConversationsPage(c.Request().Context(), caller(c), c.QueryParam("tab"), cur, p.limit)
	if err != nil {
		return err
	}
	if next != nil {
		p.setNext(c, next.String())
	}
	return c.JSON(http.StatusOK, viewAll(convs, viewConversation))
}

func (s *Server) getConversation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	conv, err := s.svc.Conversation(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewConversation(conv))
}

func (s *Server) postMessage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body  string `json:"body"`
		AsBot bool   `json:"as_bot"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(c.Request().Context(), caller(c), id, bridge.NewMessage{Body: in.Body, AsBot: in.AsBot})
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
	msgs, err := s.svc.Messages(c.Request().Context(), caller(c), id)
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
		att, data, err = s.svc.SignedAttachment(c.Request().Context(), id, attID, c.QueryParam("expires"), c.QueryParam("sig"))
	} else {
		att, data, err = s.svc.Attachment(c.Request().Context(), caller(c), id, attID)
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
