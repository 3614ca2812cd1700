package senderauth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/dnstest"
)

// python is Debian's python3 with dkimpy (python3-dkim), an independent
// DKIM and ARC implementation that signs the test mail.
const python = "/usr/bin/python3"

// needDkimpy skips (or fails under CI) when dkimpy is missing.
func needDkimpy(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import dkim, authres").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("dkimpy (python3-dkim, python3-authres) is required: %v", err)
		}
		t.Skipf("dkimpy (python3-dkim) not installed: %v", err)
	}
}

// signingKey is an RSA key with its PEM file and DNS record.
type signingKey struct {
	pemFile string
	record  string // v=DKIM1; k=rsa; p=...
}

func newKey(t *testing.T) signingKey {
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
	return signingKey{pemFile: f, record: "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}
}

// publish puts the key's record at sel._domainkey.domain.
func (k signingKey) publish(dns *dnstest.Server, sel, domain string) {
	dns.AddTXT(sel+"._domainkey."+domain, k.record)
}

// dkimpy runs script with the message on stdin and returns stdout (the
// signature fields to prepend).
func dkimpy(t *testing.T, script string, msg []byte, args ...string) []byte {
	t.Helper()
	needDkimpy(t)
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	cmd.Stdin = strings.NewReader(string(msg))
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("dkimpy: %v\n%s", err, stderr)
	}
	return out
}

// dkimSign signs msg with dkimpy (relaxed/relaxed) as d=domain s=sel.
func dkimSign(t *testing.T, msg []byte, k signingKey, sel, domain string) []byte {
	const script = `
import sys, dkim
msg = sys.stdin.buffer.read()
key = open(sys.argv[3], "rb").read()
sig = dkim.sign(msg, sys.argv[1].encode(), sys.argv[2].encode(), key,
    canonicalize=(b"relaxed", b"relaxed"),
    include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
sys.stdout.buffer.write(sig + msg)
`
	return dkimpy(t, script, msg, sel, domain, k.pemFile)
}

// arcSeal adds an ARC set by dkimpy as d=domain s=sel; srvID is the
// authserv-id of the Authentication-Results field the sealer reads.
func arcSeal(t *testing.T, msg []byte, k signingKey, sel, domain, srvID string) []byte {
	const script = `
import sys, dkim
msg = sys.stdin.buffer.read()
key = open(sys.argv[3], "rb").read()
fields = dkim.arc_sign(msg, sys.argv[1].encode(), sys.argv[2].encode(), key, sys.argv[4].encode())
sys.stdout.buffer.write(b"".join(fields) + msg)
`
	return dkimpy(t, script, msg, sel, domain, k.pemFile, srvID)
}

// crlf turns \n into CRLF.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
