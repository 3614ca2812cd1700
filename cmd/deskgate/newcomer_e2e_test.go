package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store/storetest"
)

// The README's first command, `deskgate serve` with nothing set, starts a
// server with no admin yet (every API request is 401): its log says so,
// with the setup link and DESKGATE_BOOTSTRAP_TOKEN for automation. With
// the token, no warning.
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

// A second deskgate started on a data directory one is already serving
// fails with a message that says why (the store file is locked), not a
// bare "timeout", and a non-zero exit; the first one keeps serving.
func TestSecondServeOnSameDataDirSaysItIsLocked(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("bbolt only: nodes on PostgreSQL share the store by design (TestTwoNodes)")
	}
	dir := t.TempDir()
	p := startServe(t, dir)
	cmd := exec.Command(deskgateBinary(t), "serve")
	cmd.Env = append(os.Environ(), "DESKGATE_DATA_DIR="+dir, "DESKGATE_HTTP_ADDR=127.0.0.1:0", "DESKGATE_SMTP_ADDR=127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("second serve on the same data dir exited 0:\n%s", out)
	}
	if !strings.Contains(string(out), "locked by another process") {
		t.Fatalf("second serve does not say the store is locked:\n%s", out)
	}
	if st, _ := p.api("GET", "/api/v1/me", "e2e-admin", nil); st != 200 {
		t.Fatalf("first serve no longer answers: %d", st)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
