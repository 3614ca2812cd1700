package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/deskgate/deskgate/store/storetest"
)

// readmeQuickStart returns the shell blocks of the README's quick start
// section, in order.
func readmeQuickStart(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "\n## Quick start")
	if start < 0 {
		t.Fatal("README has no Quick start section")
	}
	s = s[start+1:]
	if end := strings.Index(s, "\n## "); end >= 0 {
		s = s[:end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(s, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// freePort returns a port nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// The README's quick start works when pasted whole (issue 25): its shell
// blocks run in one bash against the real binary (go run replaced by it,
// the ports by free ones); the walk-through waits for /healthz, the
// agent's welcome email is captured and its link sets her password, the
// customer's email is stored and inspected.
func TestReadmeQuickStartRuns(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("the quick start runs on bbolt")
	}
	for _, tool := range []string{"bash", "curl", "swaks"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Unavailable(t, "%s is not installed: %v", tool, err)
		}
	}
	blocks := readmeQuickStart(t)
	if len(blocks) < 2 {
		t.Fatalf("quick start: %d shell blocks, want the walk-through and the customer's email", len(blocks))
	}
	httpPort, smtpPort := freePort(t), freePort(t)
	script := strings.Join(blocks, "\n")
	script = strings.NewReplacer("go run ./cmd/deskgate", deskgateBinary(t), ":8080", ":"+httpPort, "--port 2525", "--port "+smtpPort).Replace(script)
	script += "\nkill %1; wait\n"

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DESKGATE_HTTP_ADDR=127.0.0.1:"+httpPort, "DESKGATE_SMTP_ADDR=127.0.0.1:"+smtpPort, "DESKGATE_DNS="+dnstest.Start(t).Addr, "TMPDIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever it left behind
	text := string(out)
	if err != nil {
		t.Errorf("the quick start exited with %v", err)
	}
	for _, want := range []string{
		`{"status":"ok"`,                 // waited for /healthz
		`"status":"captured"`,            // the welcome email, kept not sent
		`/reset-password?token=dgr_`,     // its link, read back with inspect
		"Ann signed in: dgs_",            // the link set her password
		`"author":{"type":"user","id":2`, // Ann's message
		"250 ",                           // swaks: stored
		`"status":"created"`,             // the customer's email made a conversation
		`"class":"human","reason":"no automatic-mail header or rule matched","subject":"Printer still smoking"`, // inspect of the raw inbound mail
	} {
		if !strings.Contains(text, want) {
			t.Errorf("quick start output lacks %q", want)
		}
	}
	for _, bad := range []string{`"error":`, "curl: ("} {
		if i := strings.Index(text, bad); i >= 0 && !strings.Contains(text[i:min(len(text), i+80)], "curl: (28)") {
			t.Errorf("quick start output has %q", text[i:min(len(text), i+120)])
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
}
