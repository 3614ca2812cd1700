package webapi

import (
	"net/http"
	"strconv"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

// mailLogEntry is one entry of GET /api/v1/maillog (SPEC §6).
type mailLogEntry struct {
	ID        uint64 `json:"id"`
	Direction string `json:"direction"`
	At        string `json:"at"`
	From      string `json:"from"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	// EmailMessageID is the email's Message-ID header without <>, named
	// as in a message; message_id is, as everywhere in the API, the id of
	// the message it became or carried (0: none).
	EmailMessageID string `json:"email_message_id"`
	Status         string `json:"status"`
	Detail         string `json:"detail"`
	ConversationID uint64 `json:"conversation_id"`
	MessageID      uint64 `json:"message_id"`
	// MessageIDInternal is SPEC §6's name for the same id, kept so clients
	// written against the spec's field list keep working.
	MessageIDInternal uint64 `json:"message_id_internal"`
	Class             string `json:"class,omitempty"`
	Size              int    `json:"size"`
	Source            string `json:"source,omitempty"`
	// Auth: the sender checks of an inbound mail (SPEC §12).
	Auth *mailLogAuth `json:"auth,omitempty"`
	// AutoAnswer: whether an automatic answer may go to the sender of an
	// inbound mail, and why (docs/loopguard.md).
	AutoAnswer       *bool  `json:"auto_answer,omitempty"`
	AutoAnswerReason string `json:"auto_answer_reason,omitempty"`
}

// mailLogAuth is auth {spf, dkim, dmarc, arc} of a mail log entry, RFC
// 8601 result words.
type mailLogAuth struct {
	SPF    string `json:"spf"`
	DKIM   string `json:"dkim"`
	DMARC  string `json:"dmarc"`
	ARC    string `json:"arc"`
	Reason string `json:"reason,omitempty"`
}

func mailLogView(e store.MailLogEntry) mailLogEntry {
	v := mailLogEntry{ID: e.ID, Direction: e.Direction, At: e.At.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"),
		From: e.From, To: e.To, Subject: e.Subject, EmailMessageID: e.MessageID, Status: e.Status, Detail: e.Detail,
		ConversationID: e.ConversationID, MessageID: e.MessageIDInt, MessageIDInternal: e.MessageIDInt, Class: e.Class, Size: e.Size, Source: e.Source,
		AutoAnswer: e.AutoAnswer, AutoAnswerReason: e.AutoAnswerReason}
	if a := e.Auth; a != nil {
		v.Auth = &mailLogAuth{SPF: a.SPF, DKIM: a.DKIM, DMARC: a.DMARC, ARC: a.ARC, Reason: a.Reason}
	}
	return v
}

// listMailLog is GET /api/v1/maillog?direction=&limit=&cursor= (admins),
// newest first. `before` (an entry id) still starts a page below an id.
func (s *Server) listMailLog(c echo.Context) error {
	p, err := pageOf(c, "maillog")
	if err != nil {
		return err
	}
	q := bridge.MailLogQuery{Direction: c.QueryParam("direction"), Limit: p.limit}
	if q.BeforeID, err = uintQuery(c, "before"); err != nil {
		return err
	}
	if p.cursor != "" {
		if q.BeforeID, err = p.afterID(); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	es, err := s.svc.Inbound.MailLog(ctx, caller(c), q)
	if err != nil {
		return err
	}
	if len(es) == p.limit {
		// One entry past the page tells whether there is a next one.
		q.BeforeID, q.Limit = es[len(es)-1].ID, 1
		if more, err := s.svc.Inbound.MailLog(ctx, caller(c), q); err != nil {
			return err
		} else if len(more) > 0 {
			p.setNext(c, strconv.FormatUint(es[len(es)-1].ID, 10))
		}
	}
	out := make([]mailLogEntry, 0, len(es))
	for _, e := range es {
		out = append(out, mailLogView(e))
	}
	return c.JSON(http.StatusOK, out)
}

// mailLogRaw is GET /api/v1/maillog/{id}/raw: the message as received,
// as a download (never rendered by a browser).
func (s *Server) mailLogRaw(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	raw, err := s.svc.Inbound.MailLogRaw(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", mimeAttachment("maillog-"+strconv.FormatUint(id, 10)+".eml"))
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "message/rfc822", raw)
}

// uintQuery reads an optional non-negative integer query parameter.
func uintQuery(c echo.Context, name string) (uint64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, &bridge.Error{Kind: bridge.KindInvalid, Message: name + ": must be a non-negative integer"}
	}
	return n, nil
}
