package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/emersion/go-message/mail"
)

// emailParts reads an email's text body, HTML body and attachment names.
func emailParts(t *testing.T, raw []byte) (subject, text, html string, files []string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse email: %v\n%s", err, raw)
	}
	subject, _ = r.Header.Subject()
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			if ct == "text/html" {
				html = string(b)
			} else {
				text = string(b)
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			files = append(files, name)
		}
	}
	return
}

// waitEmails waits until the upstream holds n emails and returns them.
func waitEmails(t *testing.T, p *proc, up *e2eUpstream, n int) [][]byte {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; {
		up.mu.Lock()
		got := append([][]byte(nil), up.data...)
		up.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("upstream got %d emails, want %d\n%s", len(got), n, p.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mustAPI is p.api as the admin, failing the test unless 200 or 201.
func (p *proc) mustAPI(method, path string, body any) map[string]any {
	p.t.Helper()
	st, v := p.api(method, path, "e2e-admin", body)
	if st != 201 && st != 200 {
		p.t.Fatalf("%s %s: %d %v", method, path, st, v)
	}
	return v
}

// An edited notification template shows up in the next email (text and
// HTML) and DKIM still verifies; a locked template cannot be disabled; a
// customer's <script> renders escaped in the HTML; three posts a moment
// apart make one email and all three deliveries turn sent.
func TestEditedNotificationTemplateBurstAndEscaping(t *testing.T) {
	up := startE2EUpstream(t, -1)
	data := t.TempDir()
	p := startServe(t, data, "DESKGATE_UNSEEN_DELAY=2s", "DESKGATE_SMARTHOST="+up.addr)
	noWelcome(t, p) // these tests count notification emails only

	// A template that does not parse or names an unknown variable: 422 with the line.
	st, v := p.api("PUT", "/api/v1/templates/notification", "e2e-admin", map[string]any{"text": "ok\n{{.Nope}}"})
	if msg := fmt.Sprint(v["error"]); st != 422 || !strings.Contains(msg, "text line 2") || !strings.Contains(msg, ".Nope") {
		t.Fatalf("unknown variable: %d %v", st, v)
	}
	st, v = p.api("PUT", "/api/v1/templates/notification", "e2e-admin", map[string]any{"html": "<p>\n\n{{if .Name}}"})
	if msg := fmt.Sprint(v["error"]); st != 422 || !strings.Contains(msg, "html line 3") {
		t.Fatalf("parse error: %d %v", st, v)
	}
	for _, name := range []string{"notification", "password_reset"} {
		st, v = p.api("PUT", "/api/v1/templates/"+name, "e2e-admin", map[string]any{"enabled": false})
		if e, _ := v["error"].(map[string]any); st != 422 || e["code"] != "locked" {
			t.Fatalf("disabling %s: %d %v", name, st, v)
		}
	}
	st, v = p.api("PUT", "/api/v1/templates/notification", "e2e-admin", map[string]any{
		"subject": "{{.Count}} new for {{.Name}}: {{.Subject}}",
		"text":    "EDITED TEXT for {{.Name}}\n{{range .Messages}}>> {{.Author}}: {{.Body}}\n{{end}}",
		"html":    "<p>EDITED HTML for {{.Name}}</p>{{range .Messages}}<blockquote><b>{{.Author}}</b> {{.Body}}</blockquote>{{end}}",
	})
	if st != 200 || v["edited"] != true || v["locked"] != true || v["enabled"] != true {
		t.Fatalf("edit: %d %v", st, v)
	}

	_, cust := p.api("POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "mallory@example.org", "name": "<script>alert(1)</script>"})
	_, agent := p.api("POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agent@example.org", "name": "Agnes", "role": "agent"})
	_, proj := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"})
	p.api("POST", fmt.Sprintf("/api/v1/projects/%v/followers", proj["id"]), "e2e-admin", map[string]any{"user_id": agent["id"]})
	_, item := p.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj["id"], "title": "Printer"})
	_, conv := p.api("POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item["id"], "kind": "external", "subject": "Printer on fire", "customer_ids": []any{cust["id"]}})
	_, tok := p.api("POST", fmt.Sprintf("/api/v1/customers/%v/tokens", cust["id"]), "e2e-admin", nil)
	custTok := tok["token"].(string)
	// The agent is notified of customer messages (follows the project,
	// from_customers=mine): three posts a moment apart.
	var ids []float64
	for _, b := range []string{"first <img src=x onerror=alert(2)>", "second", "third"} {
		st, m := p.api("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", conv["id"]), custTok, map[string]string{"body": b})
		if st != 201 {
			t.Fatalf("post: %d %v", st, m)
		}
		ids = append(ids, m["id"].(float64))
		time.Sleep(300 * time.Millisecond)
	}
	for _, id := range ids {
		ds := waitDeliveries(t, p, id, 1, "sent")
		if d, _ := ds[0]["detail"].(string); !strings.Contains(d, "automation 1") {
			t.Errorf("delivery detail %q does not name automation 1", d)
		}
	}
	raws := waitEmails(t, p, up, 1)
	time.Sleep(500 * time.Millisecond)
	if _, total := up.counts(); total != 1 {
		t.Fatalf("a burst of three posts made %d emails, want 1", total)
	}
	subject, text, html, _ := emailParts(t, raws[0])
	if !strings.HasPrefix(subject, "3 new for Agnes: Printer on fire [#") {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"EDITED TEXT for Agnes", ">> <script>alert(1)</script>: first", ">> <script>alert(1)</script>: third"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, "EDITED HTML for Agnes") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(html, "&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("html not as edited or not escaped:\n%s", html)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<img") {
		t.Errorf("html carries markup from a customer:\n%s", html)
	}
	verifyWithPublishedRecords(t, data, raws[0])

	// Preview with given data renders escaped too, and reset restores the default.
	st, v = p.api("POST", "/api/v1/templates/notification/preview", "e2e-admin", map[string]any{"data": map[string]any{"Name": "<b>x</b>"}})
	if h, _ := v["html"].(string); st != 200 || !strings.Contains(h, "&lt;b&gt;x&lt;/b&gt;") {
		t.Fatalf("preview: %d %v", st, v)
	}
	st, v = p.api("POST", "/api/v1/templates/notification/reset", "e2e-admin", nil)
	if st != 200 || v["edited"] != false || !strings.Contains(fmt.Sprint(v["text"]), "wrote on") {
		t.Fatalf("reset: %d %v", st, v)
	}
}

// A closing automation posts as the bot in the item's external
// conversation, which notifies the customer and emails them after the
// unseen delay; the email and the deliveries name the automation.
// A disabled system email is not sent; automation 1 is locked.
func TestClosingAutomationAndDisabledSystemEmail(t *testing.T) {
	up := startE2EUpstream(t, -1)
	data := t.TempDir()
	p := startServe(t, data, "DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST="+up.addr)
	noWelcome(t, p) // these tests count notification emails only

	as := p.getList("/api/v1/automations", "e2e-admin")
	if len(as) != 1 || as[0]["id"] != 1.0 || as[0]["name"] != "new_message_to_followers" || as[0]["locked"] != true {
		t.Fatalf("automations: %v", as)
	}
	for _, req := range []struct{ method, body string }{{"DELETE", ""}, {"PUT", "x"}} {
		var body any
		if req.body != "" {
			body = map[string]any{"name": "x", "trigger": map[string]any{"event": "item.created"}, "actions": []any{}, "enabled": false}
		}
		st, v := p.api(req.method, "/api/v1/automations/1", "e2e-admin", body)
		if e, _ := v["error"].(map[string]any); st != 422 || e["code"] != "locked" {
			t.Fatalf("%s automation 1: %d %v", req.method, st, v)
		}
	}
	// Misconfigured automations are refused when saved.
	for _, bad := range []map[string]any{
		{"name": "a", "trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}}, "actions": []any{map[string]any{"type": "post_message", "conversation": "external", "template": "nope"}}},
		{"name": "a", "trigger": map[string]any{"event": "item.exploded"}, "actions": []any{map[string]any{"type": "send_email", "template": "welcome", "to": "followers"}}},
		{"name": "a", "trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"colour": "red"}}, "actions": []any{map[string]any{"type": "send_email", "template": "welcome", "to": "followers"}}},
		{"name": "a", "trigger": map[string]any{"event": "item.created"}, "actions": []any{map[string]any{"type": "send_email", "template": "welcome", "to": "support@support.test"}}},
	} {
		if st, v := p.api("POST", "/api/v1/automations", "e2e-admin", bad); st != 422 {
			t.Fatalf("bad automation accepted: %d %v", st, v)
		}
	}
	p.mustAPI("POST", "/api/v1/templates", map[string]any{"name": "closed_notice",
		"subject": "Closed: {{.Item.Title}}", "text": "Your request \"{{.Item.Title}}\" was closed.", "html": ""})
	auto := p.mustAPI("POST", "/api/v1/automations", map[string]any{"name": "Tell the customer",
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "external", "template": "closed_notice"}}})
	if auto["id"] != 2.0 || auto["enabled"] != true {
		t.Fatalf("automation: %v", auto)
	}
	// The bot message of an automation triggers no automation: a
	// message.created rule for bot messages never runs on it.
	p.mustAPI("POST", "/api/v1/automations", map[string]any{"name": "echo bots",
		"trigger": map[string]any{"event": "message.created", "conditions": map[string]any{"author_type": "bot"}},
		"actions": []any{map[string]any{"type": "post_message", "conversation": "external", "template": "closed_notice"}}})
	boss := p.mustAPI("POST", "/api/v1/automations", map[string]any{"name": "Tell the boss",
		"trigger": map[string]any{"event": "item.assignees_changed"},
		"actions": []any{map[string]any{"type": "send_email", "template": "assignment_changed", "to": "boss@example.org"}}})

	_, cust := p.api("POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "carol@example.org", "name": "Carol"})
	_, proj := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"})
	_, item := p.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj["id"], "title": "Printer"})
	if item["status"] != "open" {
		t.Fatalf("new item: %v", item)
	}
	_, conv := p.api("POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item["id"], "kind": "external", "subject": "Printer on fire", "customer_ids": []any{cust["id"]}})
	st, it := p.api("PUT", fmt.Sprintf("/api/v1/items/%v", item["id"]), "e2e-admin", map[string]any{"status": "closed"})
	if st != 200 || it["status"] != "closed" {
		t.Fatalf("close: %d %v", st, it)
	}
	// The automation worker runs it after the answer (issue 22, item 6).
	var msgs []map[string]any
	waitUntil(t, "the closing automation's message", 30*time.Second, func() bool {
		msgs = p.getList(fmt.Sprintf("/api/v1/conversations/%v/messages", conv["id"]), "e2e-admin")
		return len(msgs) > 0
	})
	if len(msgs) != 1 || msgs[0]["body"] != `Your request "Printer" was closed.` || msgs[0]["author"].(map[string]any)["type"] != "bot" {
		t.Fatalf("messages after closing: %v", msgs)
	}
	ds := waitDeliveries(t, p, msgs[0]["id"].(float64), 1, "sent")
	if r := ds[0]["recipient"].(map[string]any); r["email"] != "carol@example.org" || !strings.Contains(fmt.Sprint(ds[0]["detail"]), "automation 2") {
		t.Fatalf("delivery: %v", ds)
	}
	raws := waitEmails(t, p, up, 1)
	_, text, _, _ := emailParts(t, raws[0])
	if !strings.Contains(text, `was closed.`) || !bytes.Contains(raws[0], []byte("To: \"Carol\" <carol@example.org>")) && !bytes.Contains(raws[0], []byte("carol@example.org")) {
		t.Fatalf("email to the customer:\n%s", raws[0])
	}
	verifyWithPublishedRecords(t, data, raws[0])
	var logged bool
	for _, e := range p.getList("/api/v1/maillog?direction=outbound", "e2e-admin") {
		logged = logged || strings.Contains(fmt.Sprint(e["detail"]), "automation 2")
	}
	if !logged {
		t.Fatalf("outbound mail log does not name automation 2: %v", p.getList("/api/v1/maillog?direction=outbound", "e2e-admin"))
	}
	// The echo rule never ran: still one message.
	if n := len(p.getList(fmt.Sprintf("/api/v1/conversations/%v/messages", conv["id"]), "e2e-admin")); n != 1 {
		t.Fatalf("an automation's message triggered an automation: %d messages", n)
	}

	// send_email with a system template: sent while enabled, not once disabled.
	_, admin := p.api("GET", "/api/v1/me", "e2e-admin", nil)
	p.api("PUT", fmt.Sprintf("/api/v1/items/%v/assignees", item["id"]), "e2e-admin", map[string]any{"user_ids": []any{admin["id"]}})
	raws = waitEmails(t, p, up, 2)
	if subject, _, _, _ := emailParts(t, raws[1]); !strings.Contains(subject, "Printer") {
		t.Fatalf("assignment email subject %q", subject)
	}
	if st, v := p.api("PUT", "/api/v1/templates/assignment_changed", "e2e-admin", map[string]any{"enabled": false}); st != 200 || v["enabled"] != false {
		t.Fatalf("disable: %d %v", st, v)
	}
	before := len(p.getList("/api/v1/maillog?direction=outbound", "e2e-admin"))
	p.api("PUT", fmt.Sprintf("/api/v1/items/%v/assignees", item["id"]), "e2e-admin", map[string]any{"user_ids": []any{}})
	waitUntil(t, "the second run of the boss's automation", 30*time.Second, func() bool {
		_, a := p.api("GET", fmt.Sprintf("/api/v1/automations/%v", boss["id"]), "e2e-admin", nil)
		return a["runs"] == 2.0
	})
	if after := len(p.getList("/api/v1/maillog?direction=outbound", "e2e-admin")); after != before {
		t.Fatalf("a disabled system email was queued: %d -> %d outbound entries", before, after)
	}
	_, a := p.api("GET", fmt.Sprintf("/api/v1/automations/%v", boss["id"]), "e2e-admin", nil)
	if !strings.Contains(fmt.Sprint(a["last_error"]), "disabled") || a["runs"] != 2.0 {
		t.Fatalf("automation after a disabled template: %v", a)
	}
	time.Sleep(time.Second)
	if _, total := up.counts(); total != 2 {
		t.Fatalf("upstream got %d emails, want 2", total)
	}
	// An in-use template cannot be deleted; a system one never.
	if st, _ := p.api("DELETE", "/api/v1/templates/closed_notice", "e2e-admin", nil); st != 409 {
		t.Fatalf("delete in-use template: %d", st)
	}
	if st, _ := p.api("DELETE", "/api/v1/templates/welcome", "e2e-admin", nil); st != 422 {
		t.Fatalf("delete system template: %d", st)
	}
}

// An attachment travels as a MIME part of the notification email; the
// signed link to it works without a bearer token, a forged one does not.
func TestNotificationCarriesAttachmentsAndSignedLinkWorks(t *testing.T) {
	up := startE2EUpstream(t, -1)
	data := t.TempDir()
	p := startServe(t, data, "DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST="+up.addr)
	noWelcome(t, p) // these tests count notification emails only
	_, agent := p.api("POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agent@example.org", "name": "Agnes", "role": "agent"})
	_, proj := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"})
	p.api("POST", fmt.Sprintf("/api/v1/projects/%v/followers", proj["id"]), "e2e-admin", map[string]any{"user_id": agent["id"]})
	// A customer writes in by SMTP with a small file and one over 10 MB.
	big := bytes.Repeat([]byte("0123456789abcdef"), (10<<20)/16+1024)
	raw := "From: Carol <carol@example.org>\r\nTo: support@support.test\r\nSubject: Broken\r\nMessage-ID: <att-1@example.org>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n" +
		"--b\r\nContent-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\nERROR 42\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.bin\r\n\r\n" +
		wrap76(base64.StdEncoding.EncodeToString(big)) + "--b--\r\n"
	sendSMTP(t, p.smtp, "carol@example.org", "support@support.test", raw)
	raws := waitEmails(t, p, up, 1)
	_, text, html, files := emailParts(t, raws[0])
	if len(files) != 1 || files[0] != "log.txt" || !strings.Contains(text, "See the log.") {
		t.Fatalf("files %v text %q", files, text)
	}
	link := regexp.MustCompile(`http://\S+/attachments/\d+\?expires=\d+&sig=[\w-]+`).FindString(text)
	if link == "" || !strings.Contains(html, "big.bin</a>") {
		t.Fatalf("no download link for big.bin:\n%s", text)
	}
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, big) {
		t.Fatalf("signed link without a token: %d, %d bytes", res.StatusCode, len(got))
	}
	verifyWithPublishedRecords(t, data, raws[0])
	convs := p.getList("/api/v1/conversations", "e2e-admin")
	msgs := p.getList(fmt.Sprintf("/api/v1/conversations/%v/messages", convs[0]["id"]), "e2e-admin")
	att := msgs[0]["attachments"].([]any)[0].(map[string]any)
	// No token, no signature: 401. A forged signature: 401.
	base := fmt.Sprintf("%s/api/v1/messages/%v/attachments/%v", p.http, msgs[0]["id"], att["id"])
	for _, u := range []string{base, base + "?expires=9999999999&sig=forged"} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Fatalf("GET %s without a token: %d", u, res.StatusCode)
		}
	}
}

// wrap76 breaks base64 into CRLF-terminated lines of 76 characters.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

// sendSMTP delivers raw from one session; it fails the test unless 250.
func sendSMTP(t *testing.T, addr, from, to, raw string) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("e2e.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(to); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()
}

// Two nodes on one PostgreSQL: a template edited through one node shows
// up in the next email, whichever node renders it.
func TestTemplateEditReachesEveryNode(t *testing.T) {
	url := pgtest.NewSchema(t)
	up := startE2EUpstream(t, -1)
	env := func(name string) []string {
		return []string{"DESKGATE_DATABASE_URL=" + url, "DESKGATE_NODE_NAME=" + name, "DESKGATE_NODE_LEASE=2s",
			"DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST=" + up.addr}
	}
	a := startServe(t, t.TempDir(), env("node-a")...)
	b := startServe(t, t.TempDir(), env("node-b")...)
	_, cust := a.api("POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "carol@example.org", "name": "Carol"})
	_, proj := a.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"})
	_, item := a.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj["id"], "title": "Printer"})
	_, conv := a.api("POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item["id"], "kind": "external", "subject": "Printer", "customer_ids": []any{cust["id"]}})
	for i, pair := range [][2]*proc{{a, b}, {b, a}} {
		edit, post := pair[0], pair[1]
		marker := fmt.Sprintf("EDIT-%d via %s", i, edit.http)
		edit.mustAPI("PUT", "/api/v1/templates/notification", map[string]any{"text": marker + "\n{{range .Messages}}{{.Body}}\n{{end}}"})
		st, m := post.api("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", conv["id"]), "e2e-admin", map[string]string{"body": fmt.Sprintf("message %d", i)})
		if st != 201 {
			t.Fatalf("post: %d %v", st, m)
		}
		raws := waitEmails(t, post, up, i+1)
		if _, text, _, _ := emailParts(t, raws[i]); !strings.Contains(text, marker) || !strings.Contains(text, fmt.Sprintf("message %d", i)) {
			t.Fatalf("email %d lacks the edit %q:\n%s", i, marker, text)
		}
	}
}
