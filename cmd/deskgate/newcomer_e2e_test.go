package main

import (
	"strings"
	"testing"
)

// The README's first command, `deskgate serve` with nothing set, starts a
// server nobody can use yet (no admin, so every request is 401): its log
// says so and names DESKGATE_BOOTSTRAP_TOKEN. With the token, no warning.
func TestServeWithoutBootstrapTokenSaysHowToGetIn(t *testing.T) {
	p := startServe(t, t.TempDir(), "DESKGATE_BOOTSTRAP_TOKEN=")
	if st, _ := p.api("GET", "/api/v1/me", "anything", nil); st != 401 {
		t.Fatalf("GET /me without an admin: %d, want 401", st)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if logs := p.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "DESKGATE_BOOTSTRAP_TOKEN") {
		t.Fatalf("no warning naming DESKGATE_BOOTSTRAP_TOKEN:\n%s", logs)
	}

	q := startServe(t, t.TempDir())
	if st, _ := q.api("GET", "/api/v1/me", "e2e-admin", nil); st != 200 {
		t.Fatalf("GET /me as the bootstrap admin: %d", st)
	}
	if err := q.stop(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if logs := q.logs.String(); strings.Contains(logs, "no admin yet") {
		t.Fatalf("warned although the bootstrap admin exists:\n%s", logs)
	}
}
