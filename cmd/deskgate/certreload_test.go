package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"log/slog"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with serial n.
func writeCert(t *testing.T, certFile, keyFile string, n int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"mx.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func serialOf(t *testing.T, c *tls.Certificate) int64 {
	t.Helper()
	x, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return x.SerialNumber.Int64()
}

// A renewed certificate is taken when its files change; a broken pair
// keeps the previous certificate in service.
func TestCertReloadOnChange(t *testing.T) {
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, cf, kf, 1)
	r, err := newCertReloader(cf, kf, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r.checkEvery = 0
	get := func() int64 { c, _ := r.GetCertificate(nil); return serialOf(t, c) }
	if get() != 1 {
		t.Fatal("first certificate")
	}
	writeCert(t, cf, kf, 2)
	later := time.Now().Add(time.Minute) // a new mtime even on a coarse clock
	_ = os.Chtimes(cf, later, later)
	if s := get(); s != 2 {
		t.Fatalf("after renewal: serial %d, want 2", s)
	}
	if err := os.WriteFile(cf, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s := get(); s != 2 {
		t.Fatalf("after a broken write: serial %d, want the previous 2", s)
	}
}

// serve takes a renewed STARTTLS certificate on SIGHUP, without a restart.
func TestCertReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, cf, kf, 7)
	p := startServe(t, t.TempDir(), "DESKGATE_TLS_CERT="+cf, "DESKGATE_TLS_KEY="+kf)
	serial := func() int64 {
		t.Helper()
		c, err := smtp.Dial(p.smtp)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.StartTLS(&tls.Config{InsecureSkipVerify: true}); err != nil { // only the serial matters here
			t.Fatal(err)
		}
		st, _ := c.TLSConnectionState()
		return st.PeerCertificates[0].SerialNumber.Int64()
	}
	if s := serial(); s != 7 {
		t.Fatalf("serial %d, want 7", s)
	}
	writeCert(t, cf, kf, 8)
	old := time.Now().Add(-time.Hour) // the same stamp as far as a check goes: only SIGHUP reloads
	_ = os.Chtimes(cf, old, old)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && !strings.Contains(p.logs.String(), "TLS certificate reloaded"); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if s := serial(); s != 8 {
		t.Fatalf("after SIGHUP: serial %d, want 8\n%s", s, p.logs)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
