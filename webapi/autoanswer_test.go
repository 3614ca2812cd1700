package webapi_test

import (
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
)

// A person's mail that asks not to be auto-answered (X-Auto-Response-
// Suppress; RFC 3834 §2: sent by Bcc to undisclosed recipients) is posted and notified as
// usual, but no automation's send_email to customers goes back to its
// sender; the mail log says auto_answer and why (issue 19, item 2).
func TestAutoAnswerSuppression(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "ack", "subject": "We got it", "text": "Thanks, {{.Name}}."})
	for _, ev := range []string{"item.created", "message.created"} {
		e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "ack on " + ev,
			"trigger": map[string]any{"event": ev}, "actions": []any{map[string]any{"type": "send_email", "template": "ack", "to": "customers"}}})
	}
	acks := func(addr string) int {
		n := 0
		for _, m := range e.outbox.sent() {
			if m.Template == "ack" && m.Recipient.Email == addr {
				n++
			}
		}
		return n
	}
	type logEntry struct {
		ID               uint64
		Status           string
		AutoAnswer       *bool  `json:"auto_answer"`
		AutoAnswerReason string `json:"auto_answer_reason"`
	}
	lastLog := func() logEntry {
		var es []logEntry
		e.must(200, "GET", "/api/v1/maillog?direction=inbound", adminToken, nil).decode(t, &es)
		if len(es) == 0 {
			t.Fatal("no mail log entry")
		}
		return es[0]
	}
	e.setSettings(1, map[string]any{"from_customers": "all"}) // the admin hears of every customer message
	for _, c := range []struct {
		name, from, headers string
		answered            bool
		reason              string
	}{
		{"a plain mail", "paul@example.net", "To: support@support.test\n", true, "a person's mail"},
		{"Outlook OOF suppression", "olga@example.net", "To: support@support.test\nX-Auto-Response-Suppress: OOF, DR\n", false, "X-Auto-Response-Suppress: OOF, DR"},
		{"Outlook All suppression", "anna@example.net", "To: support@support.test\nX-Auto-Response-Suppress: All\n", false, "asks not to be auto-answered"},
		{"a Bcc to support", "bert@example.net", "To: undisclosed-recipients:;\n", false, "RFC 3834 §2"},
		{"through the company's alias", "cleo@example.net", "To: help@company.example\n", true, "a person's mail"},
	} {
		r := e.receive(c.from, "From: <"+c.from+">\n"+c.headers+"Subject: "+c.name+"\nMessage-ID: <"+strings.ReplaceAll(c.name, " ", ".")+"@example.net>\n\nPlease help.\n")
		if r.Status != bridge.InCreated {
			t.Fatalf("%s: not posted as a person's mail: %+v", c.name, r)
		}
		if d, ok := e.deliveries(r.MessageID)["admin@support.test"]; !ok || d.EmailStatus != "pending" {
			t.Errorf("%s: the admin (from_customers all) was not notified: %+v", c.name, d)
		}
		if n, want := acks(c.from), map[bool]int{true: 2, false: 0}[c.answered]; n != want {
			t.Errorf("%s: %d automatic answers to the sender, want %d", c.name, n, want)
		}
		l := lastLog()
		if l.AutoAnswer == nil || *l.AutoAnswer != c.answered || !strings.Contains(l.AutoAnswerReason, c.reason) {
			t.Errorf("%s: mail log auto_answer %v %q, want %v %q", c.name, l.AutoAnswer, l.AutoAnswerReason, c.answered, c.reason)
		}
		// Not an automation failure: the sender's wish is honoured.
		var as []struct {
			LastError string `json:"last_error"`
		}
		e.must(200, "GET", "/api/v1/automations", adminToken, nil).decode(t, &as)
		for _, a := range as {
			if a.LastError != "" {
				t.Errorf("%s: automation error %q", c.name, a.LastError)
			}
		}
	}
}
