package webapi

import (
	"net/http"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
	"github.com/labstack/echo/v4"
)

// templateOut is a template in the API (SPEC §9).
type templateOut struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Subject   string          `json:"subject"`
	Text      string          `json:"text"`
	HTML      string          `json:"html"`
	Enabled   bool            `json:"enabled"`
	Locked    bool            `json:"locked"`
	Edited    bool            `json:"edited"`
	Variables []templates.Var `json:"variables"`
	UsedBy    []uint64        `json:"used_by"` // the automations whose actions render it
}

func templateJSON(v bridge.TemplateView) templateOut {
	vars := v.Variables
	if vars == nil {
		vars = []templates.Var{}
	}
	usedBy := v.UsedBy
	if usedBy == nil {
		usedBy = []uint64{}
	}
	return templateOut{Name: v.Name, Kind: v.Kind, Subject: v.Subject, Text: v.Text, HTML: v.HTML,
		Enabled: v.Enabled, Locked: v.Locked, Edited: v.Edited, Variables: vars, UsedBy: usedBy}
}

// templateIn is the body of PUT and POST /templates.
type templateIn struct {
	Name    string  `json:"name"`
	Subject *string `json:"subject"`
	Text    *string `json:"text"`
	HTML    *string `json:"html"`
	Enabled *bool   `json:"enabled"`
}

func (in templateIn) input() bridge.TemplateInput {
	return bridge.TemplateInput{Subject: in.Subject, Text: in.Text, HTML: in.HTML, Enabled: in.Enabled}
}

func (s *Server) listTemplates(c echo.Context) error {
	vs, err := s.svc.Messaging.Templates(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	out := make([]templateOut, len(vs))
	for i, v := range vs {
		out[i] = templateJSON(v)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getTemplate(c echo.Context) error {
	v, err := s.svc.Messaging.Template(c.Request().Context(), caller(c), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, templateJSON(v))
}

func (s *Server) putTemplate(c echo.Context) error {
	var in templateIn
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Messaging.UpdateTemplate(c.Request().Context(), caller(c), c.Param("name"), in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, templateJSON(v))
}

func (s *Server) createTemplate(c echo.Context) error {
	var in templateIn
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Messaging.CreateTemplate(c.Request().Context(), caller(c), in.Name, in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, templateJSON(v))
}

func (s *Server) deleteTemplate(c echo.Context) error {
	if err := s.svc.Messaging.DeleteTemplate(c.Request().Context(), caller(c), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) resetTemplate(c echo.Context) error {
	v, err := s.svc.Messaging.ResetTemplate(c.Request().Context(), caller(c), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, templateJSON(v))
}

func (s *Server) previewTemplate(c echo.Context) error {
	var in struct {
		Subject *string        `json:"subject"`
		Text    *string        `json:"text"`
		HTML    *string        `json:"html"`
		Data    map[string]any `json:"data"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.Messaging.PreviewTemplate(c.Request().Context(), caller(c), c.Param("name"),
		bridge.PreviewInput{Subject: in.Subject, Text: in.Text, HTML: in.HTML, Data: in.Data})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// automationOut is an automation in the API (SPEC §9).
type automationOut struct {
	ID          uint64       `json:"id"`
	Name        string       `json:"name"`
	Trigger     triggerJSON  `json:"trigger"`
	Actions     []actionJSON `json:"actions"`
	Enabled     bool         `json:"enabled"`
	Locked      bool         `json:"locked"`
	Runs        uint64       `json:"runs"`
	LastError   string       `json:"last_error"`
	LastErrorAt *time.Time   `json:"last_error_at"`
}

type triggerJSON struct {
	Event      string            `json:"event"`
	Conditions map[string]string `json:"conditions"`
}

type actionJSON struct {
	Type         string `json:"type"`
	Conversation string `json:"conversation,omitempty"`
	Template     string `json:"template"`
	To           string `json:"to,omitempty"`
}

func automationJSON(v bridge.AutomationView) automationOut {
	conds := v.Conditions
	if conds == nil {
		conds = map[string]string{}
	}
	acts := make([]actionJSON, len(v.Actions))
	for i, a := range v.Actions {
		acts[i] = actionJSON{Type: a.Type, Conversation: a.Conversation, Template: a.Template, To: a.To}
	}
	return automationOut{ID: v.ID, Name: v.Name, Trigger: triggerJSON{Event: v.Event, Conditions: conds}, Actions: acts,
		Enabled: v.Enabled, Locked: v.Locked, Runs: v.Runs, LastError: v.LastError, LastErrorAt: v.LastErrorAt}
}

// automationIn is the body of POST and PUT /automations. A PUT keeps what
// it leaves out (name, trigger, actions, enabled); a trigger or actions
// given replace the current ones whole.
type automationIn struct {
	Name    *string       `json:"name"`
	Trigger *triggerJSON  `json:"trigger"`
	Actions *[]actionJSON `json:"actions"`
	Enabled *bool         `json:"enabled"`
}

func (in automationIn) input() bridge.AutomationInput {
	out := bridge.AutomationInput{Enabled: in.Enabled, KeepName: in.Name == nil, KeepTrigger: in.Trigger == nil, KeepActions: in.Actions == nil}
	if in.Name != nil {
		out.Name = *in.Name
	}
	if in.Trigger != nil {
		out.Event, out.Conditions = in.Trigger.Event, in.Trigger.Conditions
	}
	if in.Actions != nil {
		out.Actions = make([]store.AutomationAction, len(*in.Actions))
		for i, a := range *in.Actions {
			out.Actions[i] = store.AutomationAction{Type: a.Type, Conversation: a.Conversation, Template: a.Template, To: a.To}
		}
	}
	return out
}

func (s *Server) listAutomations(c echo.Context) error {
	vs, err := s.svc.Messaging.Automations(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	out := make([]automationOut, len(vs))
	for i, v := range vs {
		out[i] = automationJSON(v)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getAutomation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.svc.Messaging.Automation(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, automationJSON(v))
}

func (s *Server) createAutomation(c echo.Context) error {
	var in automationIn
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Messaging.CreateAutomation(c.Request().Context(), caller(c), in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, automationJSON(v))
}

func (s *Server) putAutomation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in automationIn
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Messaging.UpdateAutomation(c.Request().Context(), caller(c), id, in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, automationJSON(v))
}

func (s *Server) deleteAutomation(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Messaging.DeleteAutomation(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) updateItem(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status *string `json:"status"`
		Title  *string `json:"title"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	it, err := s.svc.Conversations.UpdateItem(c.Request().Context(), caller(c), id, bridge.ItemUpdate{Status: in.Status, Title: in.Title})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewItem(it))
}
