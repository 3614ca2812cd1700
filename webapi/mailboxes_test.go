package webapi_test

import (
	"strings"
	"testing"
)

// POST/GET/DELETE /mailboxes (SPEC §11): admins only; the password is
// stored but never returned; bad settings answer 422 with the field named.
func TestMailboxesAPI(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	good := map[string]any{"host": "127.0.0.1", "port": 1143, "tls": "none", "username": "help",
		"password": "hunter2-secret", "after": "move:Done", "poll_interval": "30s", "import_since": "2026-11-30"}
	r := e.must(201, "POST", "/api/v1/mailboxes", adminToken, good)
	if strings.Contains(string(r.body), "hunter2-secret") || strings.Contains(string(r.body), "password") {
		t.Fatalf("the created mailbox shows its password: %s", r.body)
	}
	id := r.id(t)
	var got map[string]any
	r.decode(t, &got)
	st := got["status"].(map[string]any)
	if got["folder"] != "INBOX" || got["poll_interval"] != "30s" || got["import_since"] != "2026-11-30T00:00:00Z" || st["state"] != "connecting" {
		t.Fatalf("created %v", got)
	}
	for _, c := range []struct {
		field string
		body  map[string]any
	}{
		{"tls", map[string]any{"host": "imap.example.com", "tls": "none", "username": "u", "password": "p"}},
		{"tls", map[string]any{"host": "imap.example.com", "tls": "ssl3", "username": "u", "password": "p"}},
		{"host", map[string]any{"tls": "implicit", "username": "u", "password": "p"}},
		{"password", map[string]any{"host": "imap.example.com", "tls": "implicit", "username": "u"}},
		{"after", map[string]any{"host": "imap.example.com", "tls": "implicit", "username": "u", "password": "p", "after": "archive"}},
		{"poll_interval", map[string]any{"host": "imap.example.com", "tls": "implicit", "username": "u", "password": "p", "poll_interval": "1ms"}},
		{"import_since", map[string]any{"host": "imap.example.com", "tls": "implicit", "username": "u", "password": "p", "import_since": "yesterday"}},
	} {
		r := e.do("POST", "/api/v1/mailboxes", adminToken, c.body)
		if r.status != 422 || !strings.Contains(string(r.body), c.field) {
			t.Errorf("%v: %d %s, want 422 naming %s", c.body, r.status, r.body, c.field)
		}
	}
	if r := e.do("POST", "/api/v1/mailboxes", f.agentTok, good); r.status != 403 && r.status != 404 {
		t.Fatalf("agent created a mailbox: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/mailboxes", f.custTok, nil); r.status != 403 && r.status != 404 {
		t.Fatalf("customer listed mailboxes: %d", r.status)
	}
	var list []map[string]any
	lr := e.must(200, "GET", "/api/v1/mailboxes", adminToken, nil)
	lr.decode(t, &list)
	if len(list) != 1 || strings.Contains(string(lr.body), "hunter2") {
		t.Fatalf("list %s", lr.body)
	}
	e.must(204, "DELETE", pathf("/api/v1/mailboxes/%d", id), adminToken, nil)
	e.must(404, "DELETE", pathf("/api/v1/mailboxes/%d", id), adminToken, nil)
	e.must(200, "GET", "/api/v1/mailboxes", adminToken, nil).decode(t, &list)
	if len(list) != 0 {
		t.Fatalf("after delete: %v", list)
	}
}
