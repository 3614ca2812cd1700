package webapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"
)

const adminToken = "test-admin-token"

// env is a running API over a real bbolt file, with the bootstrap admin.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	svc    *bridge.Service
	st     store.Store
	dir    string
	router routers.Router
	clock  *clocktest.Clock
	outbox *recordingOutbox
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return openEnv(t, t.TempDir())
}

// openEnv starts the API over the store in dir.
func openEnv(t *testing.T, dir string) *env { return openEnvTB(t, dir) }

// openEnvTB is openEnv for tests and benchmarks.
func openEnvTB(t testing.TB, dir string) *env {
	t.Helper()
	st := storetest.Open(t, dir)
	clock := clocktest.New(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	svc := bridge.New(st, bridge.Config{
		Domains: []string{"support.test"}, Hostname: "support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("test key, 32 bytes long........."),
		// argon2id with small costs: the same code, cheap under -race
		// (the end-to-end tests run the real parameters).
		PublicURL: "https://desk.test",
		Accounts:  bridge.AccountsConfig{Argon2: bridge.Argon2Params{Memory: 64, Time: 1, Threads: 1}},
	}, clock, nil)
	outbox := &recordingOutbox{}
	svc.SetOutbox(outbox)
	if _, err := svc.Directory.Bootstrap(context.Background(), adminToken); err != nil {
		t.Fatal(err)
	}
	api := webapi.New(domain(svc), webapi.Options{Registry: prometheus.NewRegistry(), HeartbeatEvery: 50 * time.Millisecond}, nil)
	srv := httptest.NewServer(api.Handler())
	e := &env{t: t, srv: srv, svc: svc, st: st, dir: dir, router: openapiRouter(t), clock: clock, outbox: outbox}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.srv.Close()
	_ = e.st.Close()
}

func openapiRouter(t testing.TB) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(webapi.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI 3: %v", err)
	}
	doc.Servers = nil // match any host
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// resp is an answer of the API.
type resp struct {
	status int
	body   []byte
	header http.Header
}

// decode unmarshals the body into v, failing the test on bad JSON.
func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("bad JSON %q: %v", r.body, err)
	}
}

// errCode returns error.code of an error answer.
func (r resp) errCode(t testing.TB) string {
	t.Helper()
	var b struct {
		Error struct{ Code, Message string }
	}
	r.decode(t, &b)
	if b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("error JSON without code/message: %s", r.body)
	}
	return b.Error.Code
}

// do sends a request (body: nil, a string of raw bytes, or a value to
// encode) and checks the answer against the OpenAPI document.
func (e *env) do(method, path, token string, body any) resp {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, body: out, header: res.Header}
	e.checkOpenAPI(req, raw, r)
	e.settle()
	return r
}

// settle runs the automations the last request queued, as the automation
// worker of a running deskgate does after the answer (SPEC §9).
func (e *env) settle() {
	e.t.Helper()
	if _, err := e.svc.Messaging.DrainAutomations(context.Background()); err != nil {
		e.t.Fatalf("automation worker: %v", err)
	}
}

// checkOpenAPI fails the test when the answer is not what the document says.
func (e *env) checkOpenAPI(req *http.Request, raw []byte, r resp) {
	e.t.Helper()
	if strings.HasPrefix(req.URL.Path, "/metrics") {
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
			return // an unrouted path: nothing to check
		}
		e.t.Fatalf("%s %s answered %d but is not in openapi.json: %v", req.Method, req.URL.Path, r.status, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body))}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.t.Fatalf("%s %s answered %d %s, which openapi.json does not allow: %v", req.Method, req.URL.Path, r.status, r.body, err)
	}
}

// must sends a request and fails unless the status is want.
func (e *env) must(want int, method, path, token string, body any) resp {
	e.t.Helper()
	r := e.do(method, path, token, body)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// id decodes {"id":…} from a created object.
func (r resp) id(t testing.TB) uint64 {
	t.Helper()
	var v struct{ ID uint64 }
	r.decode(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %s", r.body)
	}
	return v.ID
}

// fixture is a small helpdesk: an agent, a customer, a project with an
// item, an external conversation with the customer and an internal one.
type fixture struct {
	agentTok           string
	agentID, custID    uint64
	custTok            string
	project, item      uint64
	external, internal uint64
}

func (e *env) fixture() fixture {
	t := e.t
	t.Helper()
	var f fixture
	f.agentID = e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "agent@support.test", "name": "Agnes Agent", "role": "agent"}).id(t)
	var tok struct{ Token string }
	e.must(201, "POST", pathf("/api/v1/users/%d/tokens", f.agentID), adminToken, nil).decode(t, &tok)
	f.agentTok = tok.Token
	f.custID = e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": "carol@example.com", "name": "Carol"}).id(t)
	e.must(201, "POST", pathf("/api/v1/customers/%d/tokens", f.custID), adminToken, nil).decode(t, &tok)
	f.custTok = tok.Token
	f.project = e.must(201, "POST", "/api/v1/projects", adminToken, map[string]string{"name": "Support"}).id(t)
	f.item = e.must(201, "POST", "/api/v1/items", adminToken, map[string]any{"project_id": f.project, "title": "Printer on fire"}).id(t)
	f.external = e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "external", "subject": "Your printer", "customer_ids": []uint64{f.custID}}).id(t)
	f.internal = e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "internal", "subject": "Who broke it"}).id(t)
	return f
}

// domain is the API's view of svc, as cmd/deskgate wires it.
func domain(svc *bridge.Service) webapi.Domain {
	return webapi.Domain{Accounts: svc.Accounts, Conversations: svc.Conversations, Notifications: svc.Notifications,
		Directory: svc.Directory, Messaging: svc.Messaging, Mailboxes: svc.Mailboxes, Inbound: svc.Inbound}
}
