package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/config"
)

var setupLinkLine = regexp.MustCompile(`(?m)^    (http://\S+/setup\?token=(\S+))$`)

// First run (SPEC §10): on a store with no admin, serve prints a setup
// link; its page is served, and POST /api/v1/setup with its token creates
// the first admin, signed in. The link works once; a restart with an
// admin prints none.
func TestFirstRunSetupLink(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, "DESKGATE_BOOTSTRAP_TOKEN=")
	var m []string
	for range 100 { // the link follows the ready line
		if m = setupLinkLine.FindStringSubmatch(p.logs.String()); m != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("no setup link printed:\n%s", p.logs)
	}
	if !strings.HasPrefix(m[1], p.http+"/setup?token=") {
		t.Fatalf("setup link %q does not start with the public URL %s", m[1], p.http)
	}
	res, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "/console/setup.js") || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET /setup: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Security-Policy"), page)
	}
	if st, _ := p.api("POST", "/api/v1/setup", "", map[string]string{"token": "dgr_forged", "email": "boss@example.com", "password": "a long passphrase"}); st != 422 {
		t.Fatalf("forged setup token: %d, want 422", st)
	}
	st, body := p.api("POST", "/api/v1/setup", "", map[string]string{"token": m[2], "email": "boss@example.com", "name": "Boss", "password": "a long passphrase"})
	if st != 201 {
		t.Fatalf("POST /setup: %d %v", st, body)
	}
	tok, _ := body["token"].(string)
	if st, me := p.api("GET", "/api/v1/me", tok, nil); st != 200 || me["email"] != "boss@example.com" || me["role"] != "admin" {
		t.Fatalf("GET /me with the setup session: %d %v", st, me)
	}
	if st, _ := p.api("POST", "/api/v1/auth/login", "", map[string]string{"email": "boss@example.com", "password": "a long passphrase"}); st != 200 {
		t.Fatalf("sign-in with the chosen password: %d", st)
	}
	if st, _ := p.api("POST", "/api/v1/setup", "", map[string]string{"token": m[2], "email": "second@example.com", "password": "a long passphrase"}); st != 422 {
		t.Fatalf("the setup link used twice: %d, want 422", st)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	q := startServe(t, dir, "DESKGATE_BOOTSTRAP_TOKEN=")
	if err := q.stop(); err != nil {
		t.Fatal(err)
	}
	if logs := q.logs.String(); strings.Contains(logs, "/setup?token=") || strings.Contains(logs, "no admin yet") {
		t.Fatalf("a setup link printed although an admin exists:\n%s", logs)
	}
}

// Links in emails never name a wildcard address: without
// DESKGATE_PUBLIC_URL they use DESKGATE_HOSTNAME (and serve warns).
func TestPublicURLNeverWildcard(t *testing.T) {
	cfg := config.Default()
	cfg.Hostname = "help.example.com"
	for listening, want := range map[string]string{
		"0.0.0.0:8080":   "http://help.example.com:8080",
		"[::]:18096":     "http://help.example.com:18096",
		":8080":          "http://help.example.com:8080",
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		got, guessed := publicURL(cfg, listening)
		if got != want || guessed != (want != "http://"+listening) {
			t.Errorf("publicURL(%s) = %s, %v; want %s", listening, got, guessed, want)
		}
	}
	cfg.PublicURL = "https://desk.example.com/"
	if got, guessed := publicURL(cfg, "0.0.0.0:8080"); got != "https://desk.example.com" || guessed {
		t.Errorf("with DESKGATE_PUBLIC_URL: %s %v", got, guessed)
	}
}

// serve on a wildcard address without DESKGATE_PUBLIC_URL warns, naming
// the variable, and its setup link is not on the wildcard address.
func TestWildcardWithoutPublicURLWarns(t *testing.T) {
	p := startServe(t, t.TempDir(), "DESKGATE_HTTP_ADDR=0.0.0.0:0", "DESKGATE_BOOTSTRAP_TOKEN=")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	logs := p.logs.String()
	if !regexp.MustCompile(`level=WARN msg="DESKGATE_PUBLIC_URL is not set`).MatchString(logs) {
		t.Fatalf("no warning naming DESKGATE_PUBLIC_URL:\n%s", logs)
	}
	if strings.Contains(logs, "//0.0.0.0") || strings.Contains(logs, "//[::]") {
		t.Fatalf("a link on the wildcard address:\n%s", logs)
	}
}
