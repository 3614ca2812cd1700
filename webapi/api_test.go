package webapi_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"
)

// Every registered route is documented, and every documented path is routed.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	st := storetest.Open(t, t.TempDir())
	defer st.Close()
	api := webapi.New(domain(bridge.New(st, bridge.Config{}, nil, nil)), webapi.Options{Registry: prometheus.NewRegistry()}, nil)
	doc, err := openapi3.NewLoader().LoadFromData(webapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{}
	for _, r := range api.Routes() {
		if strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		p := echoToOpenAPI(r.Path)
		routed[r.Method+" "+p] = true
		item := doc.Paths.Find(p)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !routed[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which no handler serves", method, path)
			}
		}
	}
}

// echoToOpenAPI turns /a/:id into /a/{id}.
func echoToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestHealthzMetricsAndOpenAPIAreServed(t *testing.T) {
	e := newEnv(t)
	r := e.must(200, "GET", "/healthz", "", nil)
	if string(r.body) != `{"status":"ok"}`+"\n" {
		t.Fatalf("healthz body %q", r.body)
	}
	e.must(200, "GET", "/api/v1/openapi.json", "", nil)
	e.must(401, "GET", "/api/v1/conversations", "", nil)
	m := e.must(200, "GET", "/metrics", "", nil)
	for _, want := range []string{
		`deskgate_http_requests_total{method="GET",route="/api/v1/conversations",status="401"} 1`,
		`deskgate_http_request_duration_seconds_bucket{route="/healthz"`,
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	e := newEnv(t)
	if c := e.must(401, "GET", "/api/v1/me", "", nil).errCode(t); c != "unauthorized" {
		t.Fatalf("code %s", c)
	}
	e.must(401, "GET", "/api/v1/me", "not-a-token", nil)
	var me struct {
		Type string
		ID   uint64
		Role string
	}
	e.must(200, "GET", "/api/v1/me", adminToken, nil).decode(t, &me)
	if me.Type != "user" || me.Role != "admin" || me.ID == 0 {
		t.Fatalf("me = %+v", me)
	}
}

// The walk-through of the README, as a UI would drive it.
func TestWalkthrough(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	m := e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]string{"body": "  We are on it.  "})
	var msg struct {
		ID             uint64
		ConversationID uint64 `json:"conversation_id"`
		Kind           string
		Author         struct{ Type, Email, Name string }
		Body, Source   string
	}
	m.decode(t, &msg)
	if msg.Body != "We are on it." || msg.Kind != "external" || msg.Source != "api" || msg.Author.Type != "user" || msg.Author.Email != "agent@support.test" || msg.ConversationID != f.external {
		t.Fatalf("message = %+v", msg)
	}
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": "Thanks!"})
	var list []struct {
		ID     uint64
		Body   string
		Author struct{ Type string }
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, nil).decode(t, &list)
	if len(list) != 2 || list[0].Body != "We are on it." || list[1].Author.Type != "customer" || list[0].ID >= list[1].ID {
		t.Fatalf("messages oldest first = %+v", list)
	}
	var convs []struct {
		ID   uint64
		Kind string
	}
	e.must(200, "GET", "/api/v1/conversations?tab=internal", f.agentTok, nil).decode(t, &convs)
	if len(convs) != 1 || convs[0].ID != f.internal {
		t.Fatalf("internal tab = %+v", convs)
	}
	e.must(200, "GET", "/api/v1/conversations?tab=from_customers", f.agentTok, nil).decode(t, &convs)
	if len(convs) != 1 || convs[0].ID != f.external {
		t.Fatalf("from_customers tab = %+v", convs)
	}
	e.must(200, "GET", "/api/v1/conversations", f.agentTok, nil).decode(t, &convs)
	if len(convs) != 2 || convs[0].ID != f.external {
		t.Fatalf("all tab, most recent first = %+v", convs)
	}
	e.must(422, "GET", "/api/v1/conversations?tab=bogus", f.agentTok, nil)
	// Assignees and followers.
	var item struct{ Assignees []uint64 }
	e.must(200, "PUT", pathf("/api/v1/items/%d/assignees", f.item), f.agentTok, map[string]any{"user_ids": []uint64{f.agentID, f.agentID}}).decode(t, &item)
	if !slices.Equal(item.Assignees, []uint64{f.agentID}) {
		t.Fatalf("assignees = %v", item.Assignees)
	}
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), f.agentTok, map[string]any{"user_id": f.agentID})
	e.must(204, "POST", pathf("/api/v1/items/%d/followers", f.item), f.agentTok, map[string]any{"user_id": f.agentID})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"user_id": f.agentID})
	var conv struct{ Followers []uint64 }
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil).decode(t, &conv)
	if !slices.Equal(conv.Followers, []uint64{f.agentID}) {
		t.Fatalf("followers = %v", conv.Followers)
	}
}

func TestAgentVisibilityFollowed(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(200, "PUT", pathf("/api/v1/users/%d/settings", f.agentID), adminToken, map[string]string{"conversation_visibility": "followed"})
	// Not following the project: the conversation does not exist for the agent.
	e.must(404, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil)
	e.must(404, "GET", pathf("/api/v1/conversations/%d/messages", f.internal), f.agentTok, nil)
	e.must(404, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]string{"body": "x"})
	var convs []struct{ ID uint64 }
	e.must(200, "GET", "/api/v1/conversations", f.agentTok, nil).decode(t, &convs)
	if len(convs) != 0 {
		t.Fatalf("agent sees %v", convs)
	}
	// Following the conversation alone is not enough: visibility is by project.
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"user_id": f.agentID})
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil)
	e.must(200, "GET", "/api/v1/conversations", f.agentTok, nil).decode(t, &convs)
	if len(convs) != 2 {
		t.Fatalf("agent following the project sees %v", convs)
	}
}

func TestCustomerSeesOnlyOwnExternal(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.internal), f.agentTok, map[string]string{"body": "secret"})
	// Another customer's conversation.
	other := e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": "dave@example.com"}).id(t)
	otherConv := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "external", "customer_ids": []uint64{other}}).id(t)

	for _, id := range []uint64{f.internal, otherConv} {
		e.must(404, "GET", pathf("/api/v1/conversations/%d", id), f.custTok, nil)
		e.must(404, "GET", pathf("/api/v1/conversations/%d/messages", id), f.custTok, nil)
		e.must(404, "POST", pathf("/api/v1/conversations/%d/messages", id), f.custTok, map[string]string{"body": "hi"})
	}
	for _, tab := range []string{"all", "internal", "from_customers"} {
		var convs []struct{ ID uint64 }
		e.must(200, "GET", "/api/v1/conversations?tab="+tab, f.custTok, nil).decode(t, &convs)
		want := 1
		if tab == "internal" {
			want = 0
		}
		if len(convs) != want || (want == 1 && convs[0].ID != f.external) {
			t.Fatalf("customer tab %s sees %v", tab, convs)
		}
	}
	// A customer is not staff: staff-only operations answer 404, never 403.
	e.must(404, "POST", "/api/v1/projects", f.custTok, map[string]string{"name": "x"})
	e.must(404, "POST", pathf("/api/v1/users/%d/tokens", f.agentID), f.custTok, nil)
	e.must(404, "POST", pathf("/api/v1/customers/%d/tokens", other), f.custTok, nil)
	e.must(404, "GET", pathf("/api/v1/users/%d/settings", f.agentID), f.custTok, nil)
	e.must(201, "POST", pathf("/api/v1/customers/%d/tokens", f.custID), f.custTok, nil)
}

func TestTokensOnlyForSelfUnlessAdmin(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	admin2 := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "boss@support.test", "role": "admin"}).id(t)
	e.must(403, "POST", pathf("/api/v1/users/%d/tokens", admin2), f.agentTok, nil)
	e.must(403, "POST", pathf("/api/v1/customers/%d/tokens", f.custID), f.agentTok, nil)
	e.must(403, "GET", pathf("/api/v1/users/%d/settings", admin2), f.agentTok, nil)
	e.must(403, "POST", "/api/v1/users", f.agentTok, map[string]string{"email": "x@support.test"})
	e.must(403, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"user_id": admin2})
	var tok struct{ Token string }
	e.must(201, "POST", pathf("/api/v1/users/%d/tokens", f.agentID), f.agentTok, nil).decode(t, &tok)
	if tok.Token == "" || tok.Token == f.agentTok {
		t.Fatalf("new token %q", tok.Token)
	}
	e.must(200, "GET", "/api/v1/me", tok.Token, nil)
}

// conversation_visibility and show_from_customers are permissions: only an
// admin changes them, not the user themself (before: an agent set to
// "followed" answered 200 to its own PUT of "all" and read internal
// conversations of projects it does not follow).
func TestAgentCannotLiftOwnVisibility(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	path := pathf("/api/v1/users/%d/settings", f.agentID)
	e.must(200, "PUT", path, adminToken, map[string]any{"conversation_visibility": "followed", "show_from_customers": false})
	for _, body := range []map[string]any{
		{"conversation_visibility": "all"},
		{"show_from_customers": true},
		{"conversation_visibility": "all", "from_customers": "all"},
	} {
		r := e.must(403, "PUT", path, f.agentTok, body)
		if !strings.Contains(string(r.body), "only an admin may change conversation_visibility and show_from_customers") {
			t.Fatalf("403 body %s", r.body)
		}
	}
	e.must(404, "GET", pathf("/api/v1/conversations/%d/messages", f.internal), f.agentTok, nil)
	// Its notification preferences stay its own, also with the current
	// permissions sent back unchanged (a UI PUTting the whole object).
	var s map[string]any
	e.must(200, "PUT", path, f.agentTok, map[string]any{"conversation_visibility": "followed", "show_from_customers": false,
		"from_customers": "all", "email_new_members": true}).decode(t, &s)
	if s["conversation_visibility"] != "followed" || s["show_from_customers"] != false || s["from_customers"] != "all" || s["email_new_members"] != true {
		t.Fatalf("settings %v", s)
	}
	// An admin is refused nothing, also for itself.
	e.must(200, "PUT", path, adminToken, map[string]any{"conversation_visibility": "all"})
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.internal), f.agentTok, nil)
}

func TestSettingsDefaultsAndPartialUpdate(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var s map[string]any
	e.must(200, "GET", pathf("/api/v1/users/%d/settings", f.agentID), f.agentTok, nil).decode(t, &s)
	want := map[string]any{"conversation_visibility": "all", "show_from_customers": true, "from_customers": "mine",
		"from_users_and_bot": "followed", "followed_internal": true, "email_assignment_changes": true,
		"email_new_members": false, "accept_all_invitations": true}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("default %s = %v, want %v", k, s[k], v)
		}
	}
	e.must(200, "PUT", pathf("/api/v1/users/%d/settings", f.agentID), f.agentTok, map[string]any{"from_customers": "all", "followed_internal": false}).decode(t, &s)
	if s["from_customers"] != "all" || s["followed_internal"] != false || s["from_users_and_bot"] != "followed" {
		t.Fatalf("after partial PUT: %v", s)
	}
	e.must(422, "PUT", pathf("/api/v1/users/%d/settings", f.agentID), f.agentTok, map[string]any{"from_customers": "everyone"})
	e.must(400, "PUT", pathf("/api/v1/users/%d/settings", f.agentID), f.agentTok, map[string]any{"followed_internal": "yes"})
	e.must(200, "GET", pathf("/api/v1/users/%d/settings", f.agentID), adminToken, nil).decode(t, &s)
	if s["from_customers"] != "all" {
		t.Fatalf("a rejected PUT changed settings: %v", s)
	}
	e.must(404, "GET", "/api/v1/users/999/settings", adminToken, nil)
}

// Bad input gets the error JSON with the right status and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	before := e.snapshot(f)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed JSON", "POST", "/api/v1/projects", `{"name":`, 400, "bad_request"},
		{"trailing data", "POST", "/api/v1/projects", `{"name":"a"} {}`, 400, "bad_request"},
		{"wrong type", "POST", "/api/v1/items", `{"project_id":"one","title":"t"}`, 400, "bad_request"},
		{"missing name", "POST", "/api/v1/projects", map[string]string{}, 422, "invalid"},
		{"missing title", "POST", "/api/v1/items", map[string]any{"project_id": f.project}, 422, "invalid"},
		{"unknown project", "POST", "/api/v1/items", map[string]any{"project_id": 999, "title": "t"}, 422, "invalid"},
		{"wrong kind", "POST", "/api/v1/conversations", map[string]any{"item_id": f.item, "kind": "public"}, 422, "invalid"},
		{"internal with customers", "POST", "/api/v1/conversations", map[string]any{"item_id": f.item, "kind": "internal", "customer_ids": []uint64{f.custID}}, 422, "invalid"},
		{"unknown customer", "POST", "/api/v1/conversations", map[string]any{"item_id": f.item, "kind": "external", "customer_ids": []uint64{999}}, 422, "invalid"},
		{"unknown item", "POST", "/api/v1/conversations", map[string]any{"item_id": 999, "kind": "external"}, 422, "invalid"},
		{"empty body", "POST", pathf("/api/v1/conversations/%d/messages", f.external), map[string]string{"body": "   "}, 422, "invalid"},
		{"unknown conversation", "POST", "/api/v1/conversations/999/messages", map[string]string{"body": "x"}, 404, "not_found"},
		{"non-numeric id", "GET", "/api/v1/conversations/abc/messages", nil, 404, "not_found"},
		{"unknown follower", "POST", pathf("/api/v1/items/%d/followers", f.item), map[string]any{"user_id": 999}, 422, "invalid"},
		{"missing user_id", "POST", pathf("/api/v1/items/%d/followers", f.item), map[string]any{}, 422, "invalid"},
		{"unknown assignee", "PUT", pathf("/api/v1/items/%d/assignees", f.item), map[string]any{"user_ids": []uint64{f.agentID, 999}}, 422, "invalid"},
		{"duplicate user", "POST", "/api/v1/users", map[string]string{"email": "AGENT@support.test"}, 409, "conflict"},
		{"user with customer's address", "POST", "/api/v1/users", map[string]string{"email": "carol@example.com"}, 409, "conflict"},
		{"bad email", "POST", "/api/v1/customers", map[string]string{"email": "Carol <carol@example.com>"}, 422, "invalid"},
		{"bad role", "POST", "/api/v1/users", map[string]string{"email": "z@support.test", "role": "root"}, 422, "invalid"},
		{"oversize body", "POST", pathf("/api/v1/conversations/%d/messages", f.external), `{"body":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large"},
		{"too long message", "POST", pathf("/api/v1/conversations/%d/messages", f.external), map[string]string{"body": strings.Repeat("a", bridge.MaxBodyBytes+1)}, 422, "invalid"},
		{"not JSON", "POST", "/api/v1/projects", nil, 0, ""},
		{"unknown route", "GET", "/api/v1/nothing", nil, 404, "not_found"},
		{"wrong method", "DELETE", "/api/v1/projects", nil, 405, "method_not_allowed"},
	}
	for _, c := range cases {
		if c.status == 0 {
			continue
		}
		r := e.do(c.method, c.path, adminToken, c.body)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			continue
		}
		if code := r.errCode(t); code != c.code {
			t.Errorf("%s: code %s, want %s", c.name, code, c.code)
		}
	}
	if after := e.snapshot(f); after != before {
		t.Fatalf("bad input changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// A non-JSON content type is refused.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/projects", strings.NewReader("name=x"))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form body: %d", res.StatusCode)
	}
}

// snapshot renders what the admin can list, to compare before and after.
func (e *env) snapshot(f fixture) string {
	a := e.must(200, "GET", "/api/v1/conversations", adminToken, nil)
	b := e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), adminToken, nil)
	return string(a.body) + string(b.body)
}

func TestBootstrapOnlyOnStoreWithoutAdmin(t *testing.T) {
	e := newEnv(t)
	var me struct{ ID uint64 }
	e.must(200, "GET", "/api/v1/me", adminToken, nil).decode(t, &me)
	created, err := e.svc.Directory.Bootstrap(context.Background(), "another-token")
	if err != nil || created {
		t.Fatalf("second bootstrap created=%v err=%v", created, err)
	}
	e.must(401, "GET", "/api/v1/me", "another-token", nil)
}

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := openEnv(t, dir)
	f := e.fixture()
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": "still there?"})
	e.close()
	e2 := openEnv(t, dir)
	var list []struct{ Body string }
	e2.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, nil).decode(t, &list)
	if len(list) != 1 || list[0].Body != "still there?" {
		t.Fatalf("after restart: %+v", list)
	}
}
