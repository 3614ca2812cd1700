package webapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A UI developer who sends a wrong JSON type gets a 400 that names the
// field and the JSON type wanted, in JSON terms, never Go type names.
func TestBadJSONNamesTheFieldNotGoTypes(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	cases := []struct {
		method, path, body string
		want               []string
	}{
		{"POST", "/api/v1/users", `{"email":5}`, []string{"email must be a string", "not a number"}},
		{"POST", "/api/v1/users", `[]`, []string{"must be a JSON object", "not an array"}},
		{"POST", "/api/v1/users", `"x"`, []string{"must be a JSON object", "not a string"}},
		{"PUT", pathf("/api/v1/users/%d/settings", f.agentID), `{"show_from_customers":"yes"}`, []string{"show_from_customers must be a boolean", "not a string"}},
		{"PUT", pathf("/api/v1/items/%d/assignees", f.item), `{"user_ids":[-1]}`, []string{"user_ids must be a non-negative integer", "not -1"}},
		{"POST", "/api/v1/projects", `{"name":"x",}`, []string{"malformed JSON at byte"}},
		{"POST", "/api/v1/projects", `{"name":"x"`, []string{"ends before the object does"}},
	}
	for _, c := range cases {
		r := e.do(c.method, c.path, adminToken, c.body)
		if r.status != 400 || r.errCode(t) != "bad_request" {
			t.Fatalf("%s %s %s: %d %s, want 400 bad_request", c.method, c.path, c.body, r.status, r.body)
		}
		var b struct{ Error struct{ Message string } }
		r.decode(t, &b)
		for _, w := range c.want {
			if !strings.Contains(b.Error.Message, w) {
				t.Errorf("%s %s: message %q lacks %q", c.method, c.body, b.Error.Message, w)
			}
		}
		for _, goWord := range []string{"Go struct", "Go value", "uint64", "struct {", "json:"} {
			if strings.Contains(b.Error.Message, goWord) {
				t.Errorf("%s %s: message %q shows Go internals (%q)", c.method, c.body, b.Error.Message, goWord)
			}
		}
	}
}

// A conversation without messages has no last_message_at rather than
// year 1 (which would sort first in every UI's "recent" list); once a
// message is posted it is the message's time.
func TestLastMessageAtAbsentUntilAMessage(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var conv map[string]any
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.internal), adminToken, nil).decode(t, &conv)
	if v, ok := conv["last_message_at"]; ok {
		t.Fatalf("new conversation has last_message_at %v", v)
	}
	var list []map[string]any
	e.must(200, "GET", "/api/v1/conversations?tab=all", adminToken, nil).decode(t, &list)
	for _, c := range list {
		if v, ok := c["last_message_at"]; ok && strings.HasPrefix(v.(string), "0001-") {
			t.Fatalf("conversation %v lists last_message_at %v", c["id"], v)
		}
	}
	var msg struct {
		CreatedAt string `json:"created_at"`
	}
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.internal), adminToken, map[string]string{"body": "hello"}).decode(t, &msg)
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.internal), adminToken, nil).decode(t, &conv)
	if conv["last_message_at"] != msg.CreatedAt {
		t.Fatalf("last_message_at %v, want the message's created_at %s", conv["last_message_at"], msg.CreatedAt)
	}
	raw, _ := json.Marshal(conv)
	if !strings.Contains(string(raw), "last_message_at") {
		t.Fatalf("no last_message_at after a message: %s", raw)
	}
}

// An agent changing someone else's settings is told it may not change
// them (not "see"), with 403 as for reading them.
func TestAgentChangingAnothersSettingsIsForbiddenInWords(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	for _, method := range []string{"GET", "PUT"} {
		var body any
		if method == "PUT" {
			body = map[string]string{"from_customers": "all"}
		}
		r := e.do(method, "/api/v1/users/1/settings", f.agentTok, body)
		if r.status != 403 || r.errCode(t) != "forbidden" {
			t.Fatalf("%s another's settings: %d %s", method, r.status, r.body)
		}
		if !strings.Contains(string(r.body), "change") {
			t.Fatalf("%s: message does not say changing is refused: %s", method, r.body)
		}
	}
}

// GET /me tells a UI who its token is: type, id, email and name, and a
// role only for staff (a customer's token has none, rather than "").
func TestMeSaysWhoTheTokenIs(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var me map[string]any
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil).decode(t, &me)
	if me["type"] != "user" || me["id"] != float64(f.agentID) || me["role"] != "agent" || me["email"] != "agent@support.test" || me["name"] != "Agnes Agent" {
		t.Fatalf("agent /me %v", me)
	}
	me = nil
	e.must(200, "GET", "/api/v1/me", f.custTok, nil).decode(t, &me)
	if me["type"] != "customer" || me["id"] != float64(f.custID) || me["email"] != "carol@example.com" || me["name"] != "Carol" {
		t.Fatalf("customer /me %v", me)
	}
	if r, ok := me["role"]; ok {
		t.Fatalf("customer /me has role %q", r)
	}
}

// The Bearer scheme name is case-insensitive (RFC 7235 §2.1): a client
// sending "bearer TOKEN" is let in; another scheme is told a bearer token
// is missing, and every 401 carries WWW-Authenticate.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	e := newEnv(t)
	for _, h := range []string{"Bearer " + adminToken, "bearer " + adminToken, "BEARER  " + adminToken} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", h)
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("Authorization %q: %d, want 200", h, res.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Basic "+adminToken)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || !strings.Contains(string(body), "missing bearer token") || res.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("Basic: %d %s %v", res.StatusCode, body, res.Header)
	}
}
