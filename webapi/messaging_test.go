package webapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Every messaging-center route answers what openapi.json says, admins only.
func TestMessagingCenterAPI(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()

	var ts []struct {
		Name, Kind      string
		Enabled, Locked bool
		Variables       []struct{ Name string }
	}
	e.must(200, "GET", "/api/v1/templates", adminToken, nil).decode(t, &ts)
	if len(ts) != 6 || ts[0].Name != "notification" || !ts[0].Locked || ts[1].Name != "welcome" || ts[1].Locked || len(ts[0].Variables) == 0 {
		t.Fatalf("templates: %+v", ts)
	}
	if code := e.must(403, "GET", "/api/v1/templates", f.agentTok, nil).errCode(t); code != "forbidden" {
		t.Fatalf("agent: %s", code)
	}
	e.must(404, "GET", "/api/v1/templates", f.custTok, nil)
	e.must(404, "GET", "/api/v1/templates/nope", adminToken, nil)
	e.must(200, "GET", "/api/v1/templates/welcome", adminToken, nil)
	e.must(200, "PUT", "/api/v1/templates/welcome", adminToken, map[string]any{"enabled": false, "subject": "Hi {{.Name}}"})
	if code := e.must(422, "PUT", "/api/v1/templates/password_reset", adminToken, map[string]any{"enabled": false}).errCode(t); code != "locked" {
		t.Fatalf("locked: %s", code)
	}
	r := e.must(422, "PUT", "/api/v1/templates/welcome", adminToken, map[string]any{"html": "<p>{{.Nme}}</p>"})
	if !strings.Contains(string(r.body), "html line 1") {
		t.Fatalf("422 without the line: %s", r.body)
	}
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "closed_notice", "subject": "Closed", "text": "{{.Item.Title}} is {{.Item.Status}}"})
	e.must(409, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "closed_notice", "subject": "Closed", "text": "x"})
	e.must(409, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "welcome", "subject": "Closed", "text": "x"})
	e.must(422, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "Bad Name", "subject": "s", "text": "x"})
	e.must(422, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "bad_var", "subject": "s", "text": "{{.Item.Nope}}"})
	var pv struct{ Subject, Text, HTML string }
	e.must(200, "POST", "/api/v1/templates/closed_notice/preview", adminToken, map[string]any{"data": map[string]any{"Item": map[string]any{"Title": "Printer"}}}).decode(t, &pv)
	if pv.Text != "Printer is closed" {
		t.Fatalf("preview: %+v", pv)
	}
	e.must(200, "POST", "/api/v1/templates/welcome/preview", adminToken, nil)
	e.must(200, "POST", "/api/v1/templates/welcome/reset", adminToken, nil)
	e.must(422, "POST", "/api/v1/templates/closed_notice/reset", adminToken, nil)
	e.must(422, "DELETE", "/api/v1/templates/welcome", adminToken, nil)

	// Automations: 1 first and locked; a bad one refused; a failing one
	// recorded without failing the change that triggered it.
	var as []struct {
		ID     uint64
		Locked bool
	}
	e.must(200, "GET", "/api/v1/automations", adminToken, nil).decode(t, &as)
	if len(as) != 1 || as[0].ID != 1 || !as[0].Locked {
		t.Fatalf("automations: %+v", as)
	}
	e.must(200, "GET", "/api/v1/automations/1", adminToken, nil)
	e.must(422, "DELETE", "/api/v1/automations/1", adminToken, nil)
	e.must(422, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "x", "trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "Not A Word"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "external", "template": "closed_notice"}}})
	id := e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "note it",
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "internal", "template": "closed_notice"}}}).id(t)
	if id != 2 {
		t.Fatalf("first automation id %d", id)
	}
	e.must(200, "PUT", pathf("/api/v1/automations/%d", id), adminToken, map[string]any{"name": "note it",
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "internal", "template": "closed_notice"}}})
	e.must(409, "DELETE", "/api/v1/templates/closed_notice", adminToken, nil)
	// An item without conversations: the action fails, the change stands.
	other := e.must(201, "POST", "/api/v1/items", adminToken, map[string]any{"project_id": f.project, "title": "Lonely"}).id(t)
	var it struct{ Status string }
	e.must(200, "PUT", pathf("/api/v1/items/%d", other), adminToken, map[string]any{"status": "closed"}).decode(t, &it)
	if it.Status != "closed" {
		t.Fatalf("item: %+v", it)
	}
	var a struct {
		LastError string `json:"last_error"`
		Runs      int
	}
	e.must(200, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil).decode(t, &a)
	if !strings.Contains(a.LastError, "no internal conversation") || a.Runs != 1 {
		t.Fatalf("failed run not recorded: %+v", a)
	}
	// The fixture's item has one: the bot posts there, and the error clears.
	e.must(200, "PUT", pathf("/api/v1/items/%d", f.item), f.agentTok, map[string]any{"status": "closed"})
	var msgs []struct {
		Body   string
		Cause  string
		Author struct{ Type string }
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.internal), adminToken, nil).decode(t, &msgs)
	if len(msgs) != 1 || msgs[0].Body != "Printer on fire is closed" || msgs[0].Author.Type != "bot" || msgs[0].Cause != "automation 2 “note it”" {
		t.Fatalf("internal messages: %+v", msgs)
	}
	e.must(200, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil).decode(t, &a)
	if a.LastError != "" || a.Runs != 2 {
		t.Fatalf("after a good run: %+v", a)
	}
	e.must(422, "PUT", pathf("/api/v1/items/%d", f.item), adminToken, map[string]any{"status": "Closed!"})
	e.must(404, "PUT", pathf("/api/v1/items/%d", f.item), f.custTok, map[string]any{"status": "open"})
	e.must(204, "DELETE", pathf("/api/v1/automations/%d", id), adminToken, nil)
	e.must(404, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil)
	e.must(204, "DELETE", "/api/v1/templates/closed_notice", adminToken, nil)
}

// A signed attachment link works without a token until it expires; a
// changed id or signature does not.
func TestSignedAttachmentLink(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	m := &store.Message{ConversationID: f.external, Kind: store.KindExternal, Author: store.Author{Type: store.AuthorCustomer, ID: f.custID},
		Body: "file", Attachments: []store.Attachment{{Filename: "a.txt", ContentType: "text/plain", Size: 5}}, CreatedAt: e.clock.Now()}
	if err := e.st.Update(context.Background(), func(tx store.Tx) error { return tx.CreateMessage(m, [][]byte{[]byte("hello")}) }); err != nil {
		t.Fatal(err)
	}
	link := e.svc.Notifications.AttachmentLink(m.ID, m.Attachments[0].ID, e.clock.Now().Add(time.Hour))
	path := link[strings.Index(link, "/api/v1/"):]
	get := func(p string) (int, string) {
		res, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, body := get(path); st != 200 || body != "hello" {
		t.Fatalf("signed link: %d %q", st, body)
	}
	if st, _ := get(strings.Replace(path, "sig=", "sig=x", 1)); st != 401 {
		t.Fatalf("forged: %d", st)
	}
	if st, _ := get(strings.Replace(path, pathf("/messages/%d/", m.ID), pathf("/messages/%d/", m.ID+1), 1)); st != 401 {
		t.Fatalf("another message with this signature: %d", st)
	}
	e.clock.Advance(2 * time.Hour)
	if st, _ := get(path); st != 401 {
		t.Fatalf("expired: %d", st)
	}
}

// send_email reaches the audience it names, rendered per recipient, with
// the automation as its cause; message.created conditions filter.
func TestSendEmailAudiences(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/items/%d/followers", f.item), adminToken, map[string]any{"user_id": f.agentID})
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "heads_up", "subject": "{{.Item.Title}} for {{.Name}}",
		"text": "Hello {{.Name}} <{{.Email}}>: {{.Event}} by {{.Automation}}", "html": "<p>{{.Name}}</p>"})
	for _, to := range []string{"followers", "customers", "boss@example.org"} {
		e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "to " + to,
			"trigger": map[string]any{"event": "message.created", "conditions": map[string]any{"author_type": "customer", "kind": "external"}},
			"actions": []any{map[string]any{"type": "send_email", "template": "heads_up", "to": to}}})
	}
	e.post(f.internal, adminToken, "a staff message: no automation matches")
	if n := len(e.outbox.sent()); n != 0 {
		t.Fatalf("%d emails for a message no condition matches", n)
	}
	e.post(f.external, f.custTok, "help")
	got := map[string]bridge.Email{}
	for _, m := range e.outbox.sent() {
		got[m.Recipient.Email] = m
	}
	if len(got) != 3 {
		t.Fatalf("emails to %v", got)
	}
	ag := got["agent@support.test"]
	if ag.Rendered.Subject != "Printer on fire for Agnes Agent" || ag.Rendered.Text != "Hello Agnes Agent <agent@support.test>: message.created by to followers" ||
		ag.Cause != "automation 2 “to followers”" || ag.Conversation.ID != f.external || ag.ReplyTo == "" {
		t.Fatalf("email to the follower: %+v", ag)
	}
	if c := got["carol@example.com"]; c.Rendered.Text != "Hello Carol <carol@example.com>: message.created by to customers" {
		t.Fatalf("email to the customer: %+v", c)
	}
	if b := got["boss@example.org"]; b.ReplyTo != "" || !strings.Contains(b.Cause, "automation 4") {
		t.Fatalf("email to an address: %+v", b)
	}
}

// SendTemplateEmailTx (for the account emails) sends an enabled template
// and nothing for a disabled one.
func TestSendTemplateEmail(t *testing.T) {
	e := newEnv(t)
	r := store.Recipient{Type: store.KindUser, ID: 1, Email: "new@example.org", Name: "Nina"}
	send := func() (bool, string) {
		var ok bool
		var why string
		err := e.st.Update(context.Background(), func(tx store.Tx) error {
			var err error
			ok, why, err = e.svc.Messaging.SendTemplateEmailTx(tx, "welcome", r, map[string]any{"Name": "Nina", "Email": r.Email, "Link": "https://x/reset-password?token=t", "ExpiresIn": "1 hour"}, "welcome email")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok, why
	}
	if ok, why := send(); !ok {
		t.Fatalf("not sent: %s", why)
	}
	sent := e.outbox.accountSent()
	if len(sent) != 1 || sent[0].Rendered.Subject != "Welcome to the helpdesk" || !strings.Contains(sent[0].Rendered.Text, "https://x/reset-password?token=t") ||
		!strings.Contains(sent[0].Rendered.HTML, `href="https://x/reset-password?token=t"`) || sent[0].Template != "welcome" {
		t.Fatalf("sent %+v", sent)
	}
	e.must(200, "PUT", "/api/v1/templates/welcome", adminToken, map[string]any{"enabled": false})
	if ok, why := send(); ok || !strings.Contains(why, "disabled") {
		t.Fatalf("disabled template sent: %v %q", ok, why)
	}
	if n := len(e.outbox.accountSent()); n != 1 {
		t.Fatalf("%d emails", n)
	}
}

// An automation's message names its automation to staff ("cause", as
// docs/messaging.md says) and not to the customer it was posted to.
func TestAutomationMessageCause(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "closed_notice", "subject": "Closed", "text": "Your request was closed."})
	e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "Tell the customer",
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "external", "template": "closed_notice"}}})
	e.must(200, "PUT", pathf("/api/v1/items/%d", f.item), adminToken, map[string]any{"status": "closed"})
	path := pathf("/api/v1/conversations/%d/messages", f.external)
	var staff []struct{ Body, Cause string }
	e.must(200, "GET", path, f.agentTok, nil).decode(t, &staff)
	if len(staff) != 1 || staff[0].Body != "Your request was closed." || staff[0].Cause != "automation 2 “Tell the customer”" {
		t.Fatalf("staff view: %+v", staff)
	}
	r := e.must(200, "GET", path, f.custTok, nil)
	if !strings.Contains(string(r.body), "Your request was closed.") || strings.Contains(string(r.body), "cause") || strings.Contains(string(r.body), "Tell the customer") {
		t.Fatalf("customer view: %s", r.body)
	}
}
