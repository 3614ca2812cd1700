package webapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/labstack/echo/v4"
)

// mailLogTextView is GET /api/v1/maillog/{id}/text: the logged message
// decoded for reading (RFC 2047 headers, quoted-printable and base64
// bodies, charsets), so a captured email (DESKGATE_OUTBOUND=capture) reads
// as its recipient would see it, its links whole.
type mailLogTextView struct {
	ID          uint64              `json:"id"`
	From        string              `json:"from"`
	To          []string            `json:"to"`
	Cc          []string            `json:"cc"`
	Subject     string              `json:"subject"`
	Date        *time.Time          `json:"date"`
	MessageID   string              `json:"message_id"`
	Text        string              `json:"text"`
	HasHTML     bool                `json:"has_html"`
	Attachments []mailLogTextAttach `json:"attachments"`
	Problems    []string            `json:"problems"`
}

type mailLogTextAttach struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

func addressText(a mailparse.Address) string {
	switch {
	case a.Name == "":
		return a.Email
	case a.Email == "":
		return a.Name
	}
	return a.Name + " <" + a.Email + ">"
}

func addressesText(as []mailparse.Address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, addressText(a))
	}
	return out
}

// mailLogText is GET /api/v1/maillog/{id}/text (admins): the decoded view
// of mailLogRaw's message. A message mailparse cannot read at all is a 422.
func (s *Server) mailLogText(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	raw, err := s.svc.Inbound.MailLogRaw(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	m, err := mailparse.Parse(raw)
	if err != nil {
		return &bridge.Error{Kind: bridge.KindInvalid, Code: "unparsable", Message: "the logged message cannot be parsed: " + err.Error()}
	}
	v := mailLogTextView{ID: id, From: addressText(m.From), To: addressesText(m.To), Cc: addressesText(m.Cc),
		Subject: m.Subject, MessageID: m.MessageID, Text: strings.ReplaceAll(m.Text, "\r\n", "\n"), HasHTML: m.HTML != "",
		Attachments: []mailLogTextAttach{}, Problems: m.Errors}
	if v.Problems == nil {
		v.Problems = []string{}
	}
	if !m.Date.IsZero() {
		d := m.Date.UTC()
		v.Date = &d
	}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, mailLogTextAttach{Filename: a.Filename, ContentType: a.ContentType, Size: len(a.Data)})
	}
	return c.JSON(http.StatusOK, v)
}
