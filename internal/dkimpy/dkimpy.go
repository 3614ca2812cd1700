// Package dkimpy signs test mail with dkimpy (Debian's python3-dkim), an
// implementation of DKIM and ARC independent of the Go code under test.
// It is for tests only: it runs /usr/bin/python3, and fails the test when
// dkimpy is missing under CI (the env var CI set), skips it otherwise.
package dkimpy

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/testenv"
)

// Python is Debian's python3, the one with dkimpy (the first python3 on
// PATH may be another).
const Python = "/usr/bin/python3"

// Need skips t (or fails it under CI) when dkimpy or authres (which its
// ARC signing needs) is missing.
func Need(t testing.TB) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import dkim, authres").Run(); err != nil {
		testenv.Unavailable(t, "dkimpy (python3-dkim, python3-authres) not installed: %v", err)
	}
}

// Key is an RSA-2048 signing key: its PEM file for dkimpy and its DNS
// record value.
type Key struct {
	PEMFile string
	Record  string // "v=DKIM1; k=rsa; p=..."
}

// NewKey makes a key in the test's temporary directory.
func NewKey(t testing.TB) Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return Key{PEMFile: f, Record: "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}
}

// run runs script with msg on stdin and returns its stdout.
func run(t testing.TB, script string, msg []byte, args ...string) []byte {
	t.Helper()
	Need(t)
	cmd := exec.Command(Python, append([]string{"-c", script}, args...)...)
	cmd.Stdin = strings.NewReader(string(msg))
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		var stderr string
		if errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("dkimpy: %v\n%s", err, stderr)
	}
	return out
}

// Sign returns msg (CRLF line ends) with a DKIM-Signature of d=domain
// s=sel, relaxed/relaxed, over From, To, Subject, Message-ID, Date and
// In-Reply-To.
func Sign(t testing.TB, msg []byte, k Key, sel, domain string) []byte {
	const script = `
import sys, dkim
msg = sys.stdin.buffer.read()
key = open(sys.argv[3], "rb").read()
sig = dkim.sign(msg, sys.argv[1].encode(), sys.argv[2].encode(), key,
    canonicalize=(b"relaxed", b"relaxed"),
    include_headers=[b"from", b"to", b"subject", b"message-id", b"date", b"in-reply-to"])
sys.stdout.buffer.write(sig + msg)
`
	return run(t, script, msg, sel, domain, k.PEMFile)
}

// ARCSeal returns msg with an ARC set of d=domain s=sel prepended;
// srvID is the authserv-id of the Authentication-Results field the
// sealer reads from msg (RFC 8617 §5.1).
func ARCSeal(t testing.TB, msg []byte, k Key, sel, domain, srvID string) []byte {
	const script = `
import sys, dkim
msg = sys.stdin.buffer.read()
key = open(sys.argv[3], "rb").read()
fields = dkim.arc_sign(msg, sys.argv[1].encode(), sys.argv[2].encode(), key, sys.argv[4].encode())
sys.stdout.buffer.write(b"".join(fields) + msg)
`
	return run(t, script, msg, sel, domain, k.PEMFile, srvID)
}

// CRLF turns bare \n line ends into CRLF.
func CRLF(s string) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
}
