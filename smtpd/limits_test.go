package smtpd_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// A body that streams in slower than one read timeout in total, but with
// every gap well inside it (and more than 4 KB per gap), is accepted: the deadline is extended while
// DATA streams (go-smtp sets it per command line only). An idle client is
// cut off with 421.
func TestReadDeadlineExtendedDuringData(t *testing.T) {
	timeout := 2 * time.Second
	h := newHarness(t, harnessOpts{timeout: timeout})
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	reply := func() string {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		var last string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return "read error: " + err.Error()
			}
			last = strings.TrimSpace(line)
			if len(last) < 4 || last[3] != '-' {
				return last
			}
		}
	}
	say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
	reply()
	say("EHLO slow.example")
	reply()
	say("MAIL FROM:<slow@example.com>")
	reply()
	say("RCPT TO:<support@support.test>")
	reply()
	say("DATA")
	wantReply(t, "DATA", reply(), "354")
	say("From: slow@example.com\r\nSubject: slow\r\nMessage-ID: <slow@example.com>\r\n")
	for i := 0; i < 15; i++ { // 15 x 200 ms = 3 s > the 2 s timeout
		time.Sleep(timeout / 10)
		say(fmt.Sprintf("line %d of a slow body %s", i, strings.Repeat("z", 5000)))
	}
	say(".")
	wantReply(t, "slow DATA", reply(), "250")
	h.mustStatus("created", "new conversation")

	// Now stay silent: the server cuts the connection off with 421 once
	// its read timeout passes, not before (the deadline was set before
	// the 250 reached us, hence half the timeout as the bound).
	idle := time.Now()
	if got := reply(); !strings.HasPrefix(got, "421") {
		t.Fatalf("idle connection: %q, want 421", got)
	}
	if waited := time.Since(idle); waited < timeout/2 {
		t.Fatalf("idle connection cut off after %s, read timeout %s", waited, timeout)
	}
}

// Accepted and refused mail and the dot-to-250 latency are counted.
func TestMetrics(t *testing.T) {
	h := newHarness(t, harnessOpts{maxBytes: 2048})
	h.newConversation("carol@example.com", "Carol", "one", "m1@example.com")
	wantReply(t, "relay", h.send("x@example.com", []string{"a@elsewhere.example"}, ""), "550 5.7.1")
	wantReply(t, "unknown", h.send("x@example.com", []string{"nobody@support.test"}, ""), "550 5.1.1")
	wantReply(t, "big", h.send("x@example.com", []string{"support@support.test"}, "Subject: big\n\n"+strings.Repeat("x\n", 2000)), "552 5.3.4")
	if got := metricValue(t, h, "deskgate_smtp_messages_accepted_total", ""); got != 1 {
		t.Errorf("accepted %v", got)
	}
	for reason, want := range map[string]int{"relay_denied": 1, "no_such_user": 1, "too_big": 1} {
		if got := metricValue(t, h, "deskgate_smtp_rejected_total", reason); got != want {
			t.Errorf("rejected{%s} = %d, want %d", reason, got, want)
		}
	}
	if n := metricValue(t, h, "deskgate_smtp_dot_to_reply_seconds", ""); n != 1 {
		t.Errorf("dot-to-250 samples %d, want 1", n)
	}
}

// Over the per-IP connection cap a client is greeted 421 4.7.0; a freed
// slot is reused.
func TestConnectionLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{perIP: 2})
	greet := func() (net.Conn, string) {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		return c, strings.TrimSpace(line)
	}
	a, ga := greet()
	b, gb := greet()
	wantReply(t, "first", ga, "220")
	wantReply(t, "second", gb, "220")
	c, gc := greet()
	wantReply(t, "third", gc, "421 4.7.0")
	c.Close()
	a.Close()
	var g string
	// The slot frees when the server notices the close.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var d net.Conn
		d, g = greet()
		d.Close()
		if strings.HasPrefix(g, "220") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantReply(t, "after a close", g, "220")
	b.Close()
	if n := metricValue(t, h, "deskgate_smtp_rejected_total", "too_many_connections"); n < 1 {
		t.Fatalf("refusals counted: %d", n)
	}
}
