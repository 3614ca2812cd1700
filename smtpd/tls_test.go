package smtpd_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// selfSignedTLS makes a certificate for localhost and 127.0.0.1 and
// returns the server config and a client config that trusts it.
func selfSignedTLS(t testing.TB) (*tls.Config, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	return server, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// STARTTLS is offered with a certificate, works, and the Received field
// records ESMTPS.
func TestStartTLS(t *testing.T) {
	h := newHarness(t, harnessOpts{tls: true})
	c := h.client()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
	if err := c.StartTLS(h.tls); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("not on TLS after STARTTLS")
	}
	raw := "From: Tess <tess@example.com>\nTo: support@support.test\nSubject: over TLS\nMessage-ID: <tls1@example.com>\n\nsecret\n"
	wantReply(t, "DATA over TLS", transact(t, c, "tess@example.com", []string{"support@support.test"}, raw), "")
	e := h.mustStatus("created", "new conversation")
	stored := h.raw(e.ID)
	if !strings.Contains(string(stored), "SMTPS\r\n") {
		t.Fatalf("Received field does not record TLS (…SMTPS):\n%s", stored)
	}

	// Without a certificate STARTTLS is not offered.
	plain := newHarness(t, harnessOpts{})
	if ok, _ := plain.client().Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS offered without a certificate")
	}
}
