package outbound

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/deskgate/deskgate/store"
)

// startSink runs Postfix's smtp-sink on 127.0.0.1, keeping each message as
// a file in the returned directory; it is stopped by PID at cleanup.
func startSink(t *testing.T) (addr, dir string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	return addr, startSinkAt(t, addr)
}

// startSinkAt runs smtp-sink on addr with the extra options args (for
// example "-r", "mail" to answer MAIL with a 4xx), keeping each message it
// accepts as a file in the returned directory; it is stopped by PID at
// cleanup.
func startSinkAt(t *testing.T, addr string, args ...string) (dir string) {
	t.Helper()
	bin, err := exec.LookPath("smtp-sink")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/smtp-sink"); err != nil {
			testenv.Unavailable(t, "smtp-sink not installed (apt-get install postfix)")
		}
	}
	// smtp-sink -u nobody writes here: not under t.TempDir(), whose
	// parent is private to us.
	dir, err = os.MkdirTemp("", "deskgate-sink")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"-u", "nobody", "-d", filepath.Join(dir, "%Y%m%d%H%M%S.")}, args...), addr, "100")
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return dir
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtp-sink did not listen on %s", addr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

const sinkN = 20

func TestDeliveryToSmtpSink(t *testing.T) {
	addr, dir := startSink(t)
	e := newEnv(t, addr, nil)
	e.start()
	var ids []uint64
	for n := range sinkN {
		ids = append(ids, e.enqueue(n, fmt.Sprintf("customer%d@example.org", n)))
	}
	for _, id := range ids {
		e.waitState(id, store.OutboundSent)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != sinkN {
		t.Fatalf("sink kept %d messages, want 20", len(files))
	}
	mailFrom := regexp.MustCompile(`(?m)^X-Mail-Args: <bounce\+[a-z2-7]+@support\.test>`)
	msgIDs := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !mailFrom.Match(b) || !bytes.Contains(b, []byte("DKIM-Signature: a=rsa-sha256")) || !bytes.Contains(b, []byte("a=ed25519-sha256")) {
			t.Fatalf("sink message lacks VERP sender or signatures:\n%s", b)
		}
		m := regexp.MustCompile(`(?m)^Message-Id: (\S+)`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no Message-Id:\n%s", b)
		}
		msgIDs[string(m[1])] = true
	}
	if len(msgIDs) != sinkN {
		t.Fatalf("%d distinct Message-IDs, want 20", len(msgIDs))
	}
}
