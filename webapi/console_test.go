package webapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The console is served at / and /reset-password with its policy, and
// its Users page lists the staff for admins only.
func TestConsoleServedAndUsersListedForAdmins(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	// Plain GETs: the OpenAPI validator reads JSON and text, not HTML.
	for _, p := range []string{"/", "/reset-password?token=x", "/console/app.js", "/console/app.css"} {
		res, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: %d, CSP %q", p, res.StatusCode, res.Header.Get("Content-Security-Policy"))
		}
		if p == "/" && !strings.Contains(string(body), `src="/console/app.js"`) {
			t.Errorf("GET / does not load the console script: %s", body)
		}
	}
	var users []struct {
		ID    uint64
		Email string
		Role  string
	}
	e.must(200, "GET", "/api/v1/users", adminToken, nil).decode(t, &users)
	found := false
	for _, u := range users {
		found = found || u.ID == f.agentID && u.Email == "agent@support.test" && u.Role == "agent"
	}
	if !found {
		t.Errorf("GET /users %+v lacks the agent", users)
	}
	if code := e.must(403, "GET", "/api/v1/users", f.agentTok, nil).errCode(t); code == "" {
		t.Error("no error code")
	}
}
