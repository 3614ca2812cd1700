package webapi

import (
	"net/http"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

// mailboxRequest is the body of POST /api/v1/mailboxes (SPEC §11).
type mailboxRequest struct {
	Host         string `json:"host"`
	Port         int    `json:"port"`
	TLS          string `json:"tls"`
	Username     string `json:"username"`
	Password     string `json:"password"`
	Folder       string `json:"folder"`
	After        string `json:"after"`
	PollInterval string `json:"poll_interval"`
	ImportSince  string `json:"import_since"`
}

// mailboxView is a mailbox as the API shows it: never its password.
type mailboxView struct {
	ID           uint64        `json:"id"`
	Host         string        `json:"host"`
	Port         int           `json:"port"`
	TLS          string        `json:"tls"`
	Username     string        `json:"username"`
	Folder       string        `json:"folder"`
	After        string        `json:"after"`
	PollInterval string        `json:"poll_interval"`
	ImportSince  *string       `json:"import_since"`
	CreatedAt    string        `json:"created_at"`
	Status       mailboxStatus `json:"status"`
}

type mailboxStatus struct {
	State       string  `json:"state"`
	LastError   string  `json:"last_error"`
	UIDValidity uint32  `json:"uidvalidity"`
	LastUID     uint32  `json:"last_uid"`
	LastSyncAt  *string `json:"last_sync_at"`
	Node        string  `json:"node,omitempty"`
}

func mailboxOf(m store.Mailbox) mailboxView {
	v := mailboxView{ID: m.ID, Host: m.Host, Port: m.Port, TLS: m.TLS, Username: m.Username, Folder: m.Folder,
		After: m.After, PollInterval: m.PollInterval.String(), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339),
		Status: mailboxStatus{State: m.State, LastError: m.LastError, UIDValidity: m.UIDValidity, LastUID: m.LastUID}}
	if v.Status.State == "" {
		v.Status.State = store.MailboxConnecting
	}
	if !m.ImportSince.IsZero() {
		s := m.ImportSince.UTC().Format(time.RFC3339)
		v.ImportSince = &s
	}
	if !m.LastSyncAt.IsZero() {
		s := m.LastSyncAt.UTC().Format(time.RFC3339Nano)
		v.Status.LastSyncAt = &s
	}
	if m.LeaseUntil.After(time.Now()) {
		v.Status.Node = m.LeaseNode
	}
	return v
}

// createMailbox is POST /api/v1/mailboxes (admins).
func (s *Server) createMailbox(c echo.Context) error {
	var in mailboxRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.svc.Mailboxes.CreateMailbox(c.Request().Context(), caller(c), bridge.MailboxInput(in))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, mailboxOf(m))
}

// listMailboxes is GET /api/v1/mailboxes (admins).
func (s *Server) listMailboxes(c echo.Context) error {
	ms, err := s.svc.Mailboxes.Mailboxes(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return pageByID(c, "mailboxes", ms, func(m *store.Mailbox) uint64 { return m.ID }, false, func(m *store.Mailbox) mailboxView { return mailboxOf(*m) })
}

// deleteMailbox is DELETE /api/v1/mailboxes/{id} (admins).
func (s *Server) deleteMailbox(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Mailboxes.DeleteMailbox(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
