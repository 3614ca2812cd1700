package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/storetest"
)

// binary is the deskgate binary built once for the end-to-end tests.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func deskgateBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deskgate-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "deskgate")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// proc is a running deskgate serve.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	http  string // base URL
	smtp  string // host:port
	logs  *syncBuffer
	exitC chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkSecrets checks that the secrets names were kept where the backend
// keeps them: files of mode 0600 in the data directory for bbolt, rows of
// the keys table for PostgreSQL (shared by every node, SPEC §8).
func checkSecrets(t *testing.T, data string, names ...string) {
	t.Helper()
	url := storetest.DatabaseURL(t, data)
	if url == "" {
		for _, f := range names {
			if info, err := os.Stat(filepath.Join(data, f)); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v %v", f, info, err)
			}
		}
		return
	}
	st, err := pgstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := st.Secrets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range names {
		if len(keys[f]) == 0 {
			t.Fatalf("secret %s not in the database (%d secrets)", f, len(keys))
		}
		if _, err := os.Stat(filepath.Join(data, f)); err == nil {
			t.Fatalf("secret %s written to the data directory on PostgreSQL", f)
		}
	}
}

// storeEnv is the environment that puts data directory dir's store on
// the backend the tests run on (storetest.BackendEnv): nothing for bbolt,
// DESKGATE_DATABASE_URL of dir's schema for PostgreSQL.
func storeEnv(t *testing.T, dir string) []string {
	t.Helper()
	if url := storetest.DatabaseURL(t, dir); url != "" {
		return []string{"DESKGATE_DATABASE_URL=" + url}
	}
	return nil
}

var readyLine = regexp.MustCompile(`msg="deskgate ready" http=(\S+) smtp=(\S+)`)

// startServe runs `deskgate serve` on dataDir with ports picked by the
// system, and waits for its ready line. Its DNS (sender checks, MX) is an
// empty zone on loopback, so no test depends on the Internet's DNS; a
// DESKGATE_DNS in env overrides it.
func startServe(t *testing.T, dataDir string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(deskgateBinary(t), "serve")
	cmd.Env = append(os.Environ(),
		"DESKGATE_DNS="+dnstest.Start(t).Addr,
		"DESKGATE_DATA_DIR="+dataDir,
		"DESKGATE_HTTP_ADDR=127.0.0.1:0",
		"DESKGATE_SMTP_ADDR=127.0.0.1:0",
		"DESKGATE_DOMAINS=support.test",
		"DESKGATE_BOOTSTRAP_TOKEN=e2e-admin",
	)
	cmd.Env = append(cmd.Env, storeEnv(t, dataDir)...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &syncBuffer{}, exitC: make(chan error, 1)}
	ready := make(chan []string, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			if m := readyLine.FindStringSubmatch(line); m != nil {
				ready <- m
			}
		}
		// A line too long for the scanner must not leave the child blocked
		// writing to a pipe nobody reads.
		_, _ = io.Copy(p.logs, stderr)
		p.exitC <- cmd.Wait()
	}()
	t.Cleanup(func() {
		// Killed and reaped before t.TempDir is removed (cleanups run last
		// registered first), whether or not the test stopped it.
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				t.Errorf("deskgate (pid %d) not reaped 30 s after SIGKILL", cmd.Process.Pid)
			}
		}
	})
	select {
	case m := <-ready:
		p.http, p.smtp = "http://"+m[1], m[2]
	case <-time.After(30 * time.Second):
		t.Fatalf("deskgate did not get ready:\n%s", p.logs)
	}
	return p
}

// stop sends SIGTERM and returns the exit error (nil: exit 0).
func (p *proc) stop() error {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.exitC:
		return err
	case <-time.After(30 * time.Second):
		p.t.Fatalf("deskgate did not stop on SIGTERM:\n%s", p.logs)
	}
	return nil
}

func (p *proc) api(method, path, token string, body any) (int, map[string]any) {
	p.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.http+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var v map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &v)
	}
	return res.StatusCode, v
}

func TestVersion(t *testing.T) {
	out, err := exec.Command(deskgateBinary(t), "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "deskgate ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if err := exec.Command(deskgateBinary(t), "bogus").Run(); err == nil {
		t.Fatal("unknown command exited 0")
	}
}

// serve starts with no config at all, answers, stops with exit 0 on
// SIGTERM, and its data survives the restart.
func TestServeStopsCleanlyAndDataSurvives(t *testing.T) {
	data := t.TempDir()
	p := startServe(t, data)
	res, err := http.Get(p.http + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	st, proj := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Kept"})
	if st != 201 {
		t.Fatalf("create project: %d %v", st, proj)
	}
	res, err = http.Get(p.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !regexp.MustCompile(`(?m)^deskgate_store_write_seconds_count [1-9]`).Match(metrics) {
		t.Fatalf("metrics lack the store write latency after a write:\n%s", metrics)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
	}
	checkSecrets(t, data, "reply-token.key")
	p2 := startServe(t, data, "DESKGATE_BOOTSTRAP_TOKEN=")
	st, item := p2.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj["id"], "title": "after restart"})
	if st != 201 {
		t.Fatalf("project lost across restart: %d %v\n%s", st, item, p2.logs)
	}
	if err := p2.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	cmd := exec.Command(deskgateBinary(t), "serve")
	cmd.Env = append(os.Environ(), "DESKGATE_DATA_DIR="+t.TempDir(), "DESKGATE_UNSEEN_DELAY=soon")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "DESKGATE_UNSEEN_DELAY") {
		t.Fatalf("bad config: err=%v out=%s", err, out)
	}
}

// A damaged store file stops serve with a non-zero exit and a message that
// names the file and what to do, not a SIGSEGV inside bbolt (cut short) or
// a silently empty store (zero length).
func TestServeRefusesDamagedStore(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("bbolt only: a damaged store file")
	}
	full := t.TempDir()
	st, err := boltstore.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := st.Update(context.Background(), func(tx store.Tx) error {
			return tx.AddMailLog(&store.MailLogEntry{Direction: store.DirInbound, Status: "created"}, bytes.Repeat([]byte("y"), 10000))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(full, boltstore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"half": good[:len(good)/2], "empty": {}} {
		dir := t.TempDir()
		path := filepath.Join(dir, boltstore.FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(deskgateBinary(t), "serve")
		cmd.Env = append(os.Environ(), "DESKGATE_DATA_DIR="+dir, "DESKGATE_HTTP_ADDR=127.0.0.1:0", "DESKGATE_SMTP_ADDR=127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() <= 0 || strings.Contains(string(out), "SIGSEGV") ||
			!strings.Contains(string(out), "store file "+path+" is damaged") || !strings.Contains(string(out), "restore the file from a backup") {
			t.Fatalf("%s: err=%v out=%s", name, err, out)
		}
	}
}

// serve warns about a misspelt DESKGATE_* variable, naming the closest
// known one (before: ignored without a word).
func TestServeWarnsAboutMisspeltVariable(t *testing.T) {
	p := startServe(t, t.TempDir(), "DESKGATE_MAX_MESAGE_BYTES=1000")
	defer func() { _ = p.stop() }()
	if !strings.Contains(p.logs.String(), "DESKGATE_MAX_MESAGE_BYTES is not a deskgate setting and is ignored; did you mean DESKGATE_MAX_MESSAGE_BYTES?") {
		t.Fatalf("no warning in:\n%s", p.logs)
	}
}
