package webapi_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webapi"
	"github.com/prometheus/client_golang/prometheus"
)

// newEnvNoAdmin is the API over a store with no admin yet (first run).
func newEnvNoAdmin(t *testing.T) *env {
	t.Helper()
	st := storetest.Open(t, t.TempDir())
	clock := clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	svc := bridge.New(st, bridge.Config{
		Domains: []string{"support.test"}, Hostname: "support.test", TokenKey: []byte("test key, 32 bytes long........."),
		PublicURL: "https://desk.test",
		Accounts:  bridge.AccountsConfig{Argon2: bridge.Argon2Params{Memory: 64, Time: 1, Threads: 1}},
	}, clock, nil)
	outbox := &recordingOutbox{}
	svc.SetOutbox(outbox)
	api := webapi.New(domain(svc), webapi.Options{Registry: prometheus.NewRegistry()}, nil)
	e := &env{t: t, srv: httptest.NewServer(api.Handler()), svc: svc, st: st, router: openapiRouter(t), clock: clock, outbox: outbox}
	t.Cleanup(e.close)
	return e
}

// setupToken issues a setup link and returns its token.
func setupToken(t *testing.T, e *env) string {
	t.Helper()
	l, err := e.svc.Accounts.IssueSetupLink(context.Background())
	if err != nil || l == nil {
		t.Fatalf("IssueSetupLink: %v %v", l, err)
	}
	if !strings.HasPrefix(l.URL, "https://desk.test/setup?token=") {
		t.Fatalf("setup link %q", l.URL)
	}
	u, _ := url.Parse(l.URL)
	return u.Query().Get("token")
}

// POST /api/v1/setup (SPEC §10): the setup link's token creates the first
// admin and a session; it works once, not after its 24 h, not once an
// admin exists, and a password link's token is not a setup token.
func TestSetupCreatesFirstAdmin(t *testing.T) {
	e := newEnvNoAdmin(t)
	tok := setupToken(t, e)
	if c := e.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": tok, "email": "boss@example.com", "password": "short"}).errCode(t); c != "weak_password" {
		t.Errorf("weak password: %s", c)
	}
	if c := e.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": tok, "email": "not an address", "password": "a long passphrase"}).errCode(t); c != "invalid" {
		t.Errorf("bad address: %s", c)
	}
	e.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": "dgr_forged", "email": "boss@example.com", "password": "a long passphrase"})
	var out struct {
		Token string
		User  struct {
			ID          uint64
			Email, Role string
		}
	}
	e.must(201, "POST", "/api/v1/setup", "", map[string]string{"token": tok, "email": "Boss@Example.com", "name": "Boss", "password": "a long passphrase"}).decode(t, &out)
	if out.User.Role != "admin" || out.Token == "" {
		t.Fatalf("setup answer %+v", out)
	}
	e.must(200, "GET", "/api/v1/me", out.Token, nil)
	e.must(201, "POST", "/api/v1/users", out.Token, map[string]string{"email": "ann@example.com", "name": "Ann", "role": "agent"})
	e.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": tok, "email": "x@example.com", "password": "a long passphrase"})
	if l, err := e.svc.Accounts.IssueSetupLink(context.Background()); err != nil || l != nil {
		t.Fatalf("a setup link issued although an admin exists: %v %v", l, err)
	}

	// An expired link, and a link issued before an admin appeared another way.
	e2 := newEnvNoAdmin(t)
	old := setupToken(t, e2)
	e2.clock.Advance(bridge.SetupTTL)
	e2.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": old, "email": "boss@example.com", "password": "a long passphrase"})
	early := setupToken(t, e2)
	if _, err := e2.svc.Directory.Bootstrap(context.Background(), "automation-token"); err != nil {
		t.Fatal(err)
	}
	e2.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": early, "email": "boss@example.com", "password": "a long passphrase"})

	// A password-reset link's token does not set anything up, and stays usable.
	e2.must(201, "POST", "/api/v1/users", "automation-token", map[string]string{"email": "ann@example.com", "name": "Ann"})
	link := e2.lastLink("welcome", "ann@example.com")
	e2.must(422, "POST", "/api/v1/setup", "", map[string]string{"token": link, "email": "boss@example.com", "password": "a long passphrase"})
	e2.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": link, "password": "a long passphrase"})
}
