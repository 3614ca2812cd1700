package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// dbProxy forwards TCP connections to PostgreSQL until cut: then it drops
// every connection, and refuses new ones until restored.
type dbProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startDBProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *dbProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *dbProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *dbProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// While the database is gone, SMTP answers 451 4.3.0 and the API 503 (a
// temporary failure: the client retries, nothing is lost); once it is
// back the node recovers by itself, and nothing that got a 250 or a 201
// before is lost.
func TestDatabaseGoneForAWhile(t *testing.T) {
	u, err := url.Parse(pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startDBProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	p := startServe(t, t.TempDir(), "DESKGATE_DATABASE_URL="+u.String())
	if err := sendMail(p.smtp, "carol@customer.example", "before@customer.example", "Before"); err != nil {
		t.Fatal(err)
	}
	if st, r := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Before"}); st != 201 {
		t.Fatalf("project: %d %v", st, r)
	}

	proxy.cut()
	err = sendMail(p.smtp, "carol@customer.example", "during@customer.example", "During")
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 451 || len(te.Msg) < 5 || te.Msg[:5] != "4.3.0" {
		t.Fatalf("SMTP while the database is gone: %v, want 451 4.3.0", err)
	}
	if st, r := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "During"}); st != 503 {
		t.Fatalf("API while the database is gone: %d %v, want 503", st, r)
	}

	proxy.restore()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = sendMail(p.smtp, "carol@customer.example", "after@customer.example", "After")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("SMTP did not recover: %v\n%s", err, p.logs)
	}
	if st, r := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "After"}); st != 201 {
		t.Fatalf("API did not recover: %d %v", st, r)
	}
	_, convs := p.apiList("GET", "/api/v1/conversations", "e2e-admin")
	subjects := map[string]bool{}
	for _, c := range convs {
		subjects[fmt.Sprint(c["subject"])] = true
	}
	if !subjects["Before"] || !subjects["After"] || subjects["During"] || len(convs) != 2 {
		t.Fatalf("conversations after the outage: %v", subjects)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}

// A wrong or unreachable DESKGATE_DATABASE_URL stops serve at start with
// a message that says which setting and why, and a non-zero exit; the
// password never shows.
func TestServeStopsOnBadDatabaseURL(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"postgres://dg:s3cret@127.0.0.1:1/deskgate?connect_timeout=5", "connect"},
		{"postgres://dg:s3cret@127.0.0.1:5432/deskgate?sslmode=bogus", "sslmode"},
		{"mysql://dg:s3cret@db/deskgate", "postgres://"},
	} {
		cmd := exec.Command(deskgateBinary(t), "serve")
		cmd.Env = append(os.Environ(), "DESKGATE_DATA_DIR="+t.TempDir(), "DESKGATE_HTTP_ADDR=127.0.0.1:0",
			"DESKGATE_SMTP_ADDR=127.0.0.1:0", "DESKGATE_DATABASE_URL="+c.url)
		done := make(chan struct{})
		var out []byte
		var err error
		go func() { out, err = cmd.CombinedOutput(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("serve with %s did not stop", c.url)
		}
		s := string(out)
		if err == nil || !strings.Contains(s, "DESKGATE_DATABASE_URL") || !strings.Contains(s, c.want) || strings.Contains(s, "s3cret") {
			t.Errorf("serve with %s: %v\n%s", c.url, err, s)
		}
	}
}
