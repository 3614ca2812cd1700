package outbound

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// selfSigned returns a certificate for 127.0.0.1 that no CA vouches for.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// authUpstream offers STARTTLS and AUTH PLAIN (only over TLS) and records
// the credentials and whether the session was encrypted.
type authUpstream struct {
	mu    sync.Mutex
	auths []string
	tls   []bool
}

func (a *authUpstream) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &authSession{a: a, tls: isTLS}, nil
}

type authSession struct {
	a      *authUpstream
	tls    bool
	authed bool
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.a.mu.Lock()
		s.a.auths = append(s.a.auths, user+":"+pass)
		s.a.mu.Unlock()
		if user != "relay" || pass != "s3cret" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}
func (s *authSession) Reset()        {}
func (s *authSession) Logout() error { return nil }
func (s *authSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	return nil
}
func (s *authSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *authSession) Data(r io.Reader) error {
	buf := make([]byte, 4096)
	for {
		if _, err := r.Read(buf); err != nil {
			break
		}
	}
	s.a.mu.Lock()
	s.a.tls = append(s.a.tls, s.tls)
	s.a.mu.Unlock()
	return nil
}

func startAuthUpstream(t *testing.T) (*authUpstream, string) {
	t.Helper()
	a := &authUpstream{}
	srv := smtp.NewServer(a)
	srv.Domain = "relay.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return a, ln.Addr().String()
}

func TestSmarthostTLSIsVerifiedUnlessInsecure(t *testing.T) {
	a, addr := startAuthUpstream(t)
	e := newEnv(t, addr, func(o *Options) { o.SmarthostUser, o.SmarthostPassword = "relay", "s3cret" })
	e.start()
	id := e.enqueue(1, "carla@example.org")
	rec := e.waitState(id, store.OutboundDeferred)
	if !strings.Contains(rec.LastResult, "certificate") {
		t.Fatalf("an unverifiable smarthost certificate was not refused: %q", rec.LastResult)
	}
	a.mu.Lock()
	if len(a.auths) != 0 {
		t.Fatal("credentials were sent to an unverified server")
	}
	a.mu.Unlock()
}

func TestSmarthostStartTLSAndAuthPlain(t *testing.T) {
	a, addr := startAuthUpstream(t)
	e := newEnv(t, addr, func(o *Options) {
		o.SmarthostUser, o.SmarthostPassword, o.SmarthostInsecureTLS = "relay", "s3cret", true
	})
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.waitState(id, store.OutboundSent)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.auths) != 1 || a.auths[0] != "relay:s3cret" || len(a.tls) != 1 || !a.tls[0] {
		t.Fatalf("auths %v, tls %v", a.auths, a.tls)
	}
}

func TestSmarthostBadCredentialsDefer(t *testing.T) {
	_, addr := startAuthUpstream(t)
	e := newEnv(t, addr, func(o *Options) {
		o.SmarthostUser, o.SmarthostPassword, o.SmarthostInsecureTLS = "relay", "wrong", true
	})
	e.start()
	id := e.enqueue(1, "carla@example.org")
	rec := e.waitState(id, store.OutboundDeferred) // a configuration error: retried, not bounced
	if !strings.Contains(rec.LastResult, "AUTH: 535 5.7.8") {
		t.Fatalf("last result %q", rec.LastResult)
	}
}
