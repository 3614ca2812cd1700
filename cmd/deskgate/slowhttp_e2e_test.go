package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dialFrom opens a TCP connection to addr from the loopback address src
// (127.0.0.0/8 is all loopback on Linux), so one test can play several
// clients.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", strings.TrimPrefix(addr, "http://"))
	if err != nil {
		t.Fatalf("dial from %s: %v", src, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// bodyTimeout is the server's body (and header) deadline in these tests:
// long enough that the connections a phase holds are all still held when
// its last one is dialed on a loaded machine (at 2 s, eleven dials under
// load could outlast the first one's deadline, freeing a slot early).
const bodyTimeout = 6 * time.Second

// slowBody starts a request that announces a large body and sends one byte.
func slowBody(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := fmt.Fprint(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
}

// closedWithin reads c until the server closes it, failing when that
// takes longer than d. It returns what the server wrote.
func closedWithin(t *testing.T, c net.Conn, d time.Duration, what string) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: still open after %s", what, d)
	}
	return string(b)
}

// healthz asks GET /healthz from src and returns the status (0: no answer).
func healthzFrom(t *testing.T, src, base string) int {
	t.Helper()
	c := dialFrom(t, src, base)
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// smtpAnswers checks the MX greets and answers EHLO.
func smtpAnswers(t *testing.T, addr string) {
	t.Helper()
	c := dialFrom(t, "127.0.0.1", addr)
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	greet, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(greet, "220") {
		t.Fatalf("MX greeting %q, %v", greet, err)
	}
	fmt.Fprint(c, "EHLO client.test\r\n")
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "250") {
		t.Fatalf("MX EHLO %q, %v", line, err)
	}
	fmt.Fprint(c, "QUIT\r\n")
}

// Slow HTTP clients (issue 20): bodies that trickle are cut at the body
// deadline, headers at the header deadline, connections beyond the caps
// per address and in all are refused; meanwhile /healthz (from another
// address) and the MX still answer, and an event stream outlives the
// body deadline.
func TestSlowHTTPClientsAreBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts deskgate")
	}
	p := startServe(t, t.TempDir(),
		"DESKGATE_HTTP_MAX_CONNECTIONS=12", "DESKGATE_HTTP_MAX_CONNECTIONS_PER_IP=4",
		"DESKGATE_HTTP_BODY_TIMEOUT="+bodyTimeout.String())

	// An event stream opened first must outlive the body deadline.
	sse := dialFrom(t, "127.0.0.9", p.http)
	fmt.Fprint(sse, "GET /api/v1/me/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer e2e-admin\r\n\r\n")
	_ = sse.SetReadDeadline(time.Now().Add(10 * time.Second))
	sseR := bufio.NewReader(sse)
	if res, err := http.ReadResponse(sseR, nil); err != nil || res.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", res, err)
	}

	// One address: 4 slow bodies are held, the 5th is refused at once.
	start := time.Now()
	var held []net.Conn
	for range 4 {
		c := dialFrom(t, "127.0.0.2", p.http)
		slowBody(t, c)
		held = append(held, c)
	}
	time.Sleep(200 * time.Millisecond) // let the server accept them
	extra := dialFrom(t, "127.0.0.2", p.http)
	if got := closedWithin(t, extra, 5*time.Second, "5th connection from one address"); !strings.Contains(got, " 503 ") {
		t.Fatalf("5th connection from one address: %q, want 503", got)
	}
	if code := healthzFrom(t, "127.0.0.1", p.http); code != 200 {
		t.Fatalf("/healthz from another address while one is capped: %d", code)
	}
	smtpAnswers(t, p.smtp)
	for i, c := range held {
		closedWithin(t, c, 15*time.Second, fmt.Sprintf("slow body %d", i))
	}
	if took := time.Since(start); took < bodyTimeout {
		t.Fatalf("slow bodies cut after %s, before the %s body deadline", took, bodyTimeout)
	}

	// Slow headers are cut at the header deadline too.
	hc := dialFrom(t, "127.0.0.3", p.http)
	fmt.Fprint(hc, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	closedWithin(t, hc, 15*time.Second, "slow headers")

	// Many addresses fill the total: the next is refused, the MX answers.
	for i := range 11 { // 11 + the event stream = 12
		c := dialFrom(t, fmt.Sprintf("127.0.1.%d", 1+i/3), p.http)
		slowBody(t, c)
		held = append(held, c)
	}
	time.Sleep(200 * time.Millisecond)
	over := dialFrom(t, "127.0.2.1", p.http)
	if got := closedWithin(t, over, 5*time.Second, "connection over the total"); !strings.Contains(got, " 503 ") {
		t.Fatalf("connection over the total: %q, want 503", got)
	}
	smtpAnswers(t, p.smtp)
	for i, c := range held[4:] {
		closedWithin(t, c, 15*time.Second, fmt.Sprintf("slow body %d of many addresses", i))
	}
	var code int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code = healthzFrom(t, "127.0.0.1", p.http); code == 200 {
			break
		}
	}
	if code != 200 {
		t.Fatalf("/healthz after the held connections were closed: %d", code)
	}

	// The event stream is still open, well past the body deadline: a read
	// times out (nothing to say yet) instead of ending.
	if time.Since(start) < 2*bodyTimeout {
		time.Sleep(2*bodyTimeout - time.Since(start))
	}
	_ = sse.SetReadDeadline(time.Now().Add(time.Second))
	for {
		_, err := sseR.ReadString('\n')
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			break
		}
		if err != nil {
			t.Fatalf("event stream ended after the body deadline: %v", err)
		}
	}
}
