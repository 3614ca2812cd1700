package webapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/webhooks"
	"github.com/labstack/echo/v4"
)

// Webhooks (SPEC §14), for admins.

type webhookView struct {
	ID             uint64    `json:"id"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Enabled        bool      `json:"enabled"`
	Secret         string    `json:"secret,omitempty"` // in the answer to POST only
	DisabledReason string    `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func viewWebhook(w *store.Webhook) webhookView {
	evs := w.Events
	if evs == nil {
		evs = []string{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Events: evs, Enabled: w.Enabled, DisabledReason: w.DisabledReason, CreatedAt: w.CreatedAt}
}

type webhookDeliveryView struct {
	ID             uint64     `json:"id"`
	Event          string     `json:"event"` // the webhook-id header of every attempt
	Type           string     `json:"type"`
	Attempts       int        `json:"attempts"`
	Status         string     `json:"status"`
	LastStatusCode int        `json:"last_status_code"`
	LastError      string     `json:"last_error"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

func viewWebhookDelivery(d *store.WebhookDelivery) webhookDeliveryView {
	v := webhookDeliveryView{ID: d.ID, Event: webhooks.MessageID(d), Type: d.Type, Attempts: d.Attempts, Status: d.Status,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt}
	if d.Status == store.WebhookPending {
		t := d.NextAttemptAt
		v.NextAttemptAt = &t
	}
	if !d.DeliveredAt.IsZero() {
		t := d.DeliveredAt
		v.DeliveredAt = &t
	}
	return v
}

func (s *Server) webhookRoutes(auth func(method, path string, h echo.HandlerFunc)) {
	auth(http.MethodPost, "/webhooks", s.createWebhook)
	auth(http.MethodGet, "/webhooks", s.listWebhooks)
	auth(http.MethodGet, "/webhooks/:id", s.getWebhook)
	auth(http.MethodPut, "/webhooks/:id", s.putWebhook)
	auth(http.MethodDelete, "/webhooks/:id", s.deleteWebhook)
	auth(http.MethodGet, "/webhooks/:id/deliveries", s.webhookDeliveries)
	auth(http.MethodPost, "/webhooks/:id/deliveries/:delivery_id/redeliver", s.redeliver)
}

// hooks is the webhook administration, or a 404 where none is configured.
func (s *Server) hooks() (*webhooks.Admin, error) {
	if s.opts.Webhooks == nil {
		return nil, &bridge.Error{Kind: bridge.KindNotFound, Message: "webhooks are not enabled on this server"}
	}
	return s.opts.Webhooks, nil
}

func (s *Server) createWebhook(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	var in webhooks.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	w, err := h.Create(c.Request().Context(), caller(c), in)
	if err != nil {
		return err
	}
	v := viewWebhook(w)
	v.Secret = w.Secret
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) listWebhooks(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	ws, err := h.List(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return pageByID(c, "webhooks", ws, func(w *store.Webhook) uint64 { return w.ID }, false, viewWebhook)
}

func (s *Server) getWebhook(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	return getOne(c, h.Get, viewWebhook)
}

func (s *Server) putWebhook(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	var in webhooks.Input
	return patchOne(c, &in, func(id uint64) (*store.Webhook, error) {
		return h.Update(c.Request().Context(), caller(c), id, in)
	}, viewWebhook)
}

func (s *Server) deleteWebhook(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Delete(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) webhookDeliveries(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ds, err := h.Deliveries(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return pageByID(c, "webhook_deliveries", ds, func(d *store.WebhookDelivery) uint64 { return d.ID }, true, viewWebhookDelivery)
}

func (s *Server) redeliver(c echo.Context) error {
	h, err := s.hooks()
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	did, err := idParam(c, "delivery_id")
	if err != nil {
		return err
	}
	d, err := h.Redeliver(c.Request().Context(), caller(c), id, did)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, viewWebhookDelivery(d))
}

// EventData renders an outbox event's record as the API shows it to an
// admin: the data of a webhook body (SPEC §14).
func EventData(ev store.OutboxEvent) (json.RawMessage, error) {
	var v any
	var err error
	switch ev.Type {
	case events.MessageCreated:
		v, err = render(ev.Data, viewMessage)
	case events.ConversationCreated:
		v, err = render(ev.Data, viewConversation)
	case events.ItemCreated, events.ItemAssigneesChanged:
		v, err = render(ev.Data, viewItem)
	case events.ItemStatusChanged:
		var prev struct {
			PreviousStatus string `json:"previous_status"`
		}
		_ = json.Unmarshal(ev.Data, &prev)
		var it itemView
		it, err = render(ev.Data, viewItem)
		v = struct {
			itemView
			PreviousStatus string `json:"previous_status"`
		}{it, prev.PreviousStatus}
	case events.DeliveryUpdated:
		v, err = render(ev.Data, func(d *store.Delivery) deliveryEventView {
			return deliveryEventView{MessageID: d.MessageID, ConversationID: d.ConversationID, DeliveryView: bridge.DeliveryOf(d)}
		})
	case events.MailLogInbound:
		v, err = render(ev.Data, func(e *store.MailLogEntry) mailLogEntry { return mailLogView(*e) })
	case events.MailboxStatusChanged:
		v, err = render(ev.Data, func(m *store.Mailbox) mailboxView { return mailboxOf(*m) })
	default:
		return nil, fmt.Errorf("no view for event type %q", ev.Type)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// deliveryEventView is the data of delivery.updated: a delivery as GET
// /messages/{id}/deliveries shows it, with its message and conversation.
type deliveryEventView struct {
	MessageID      uint64 `json:"message_id"`
	ConversationID uint64 `json:"conversation_id"`
	bridge.DeliveryView
}

func render[T, V any](data json.RawMessage, view func(*T) V) (V, error) {
	var rec T
	if err := json.Unmarshal(data, &rec); err != nil {
		var zero V
		return zero, err
	}
	return view(&rec), nil
}
