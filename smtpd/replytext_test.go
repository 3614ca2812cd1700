package smtpd_test

import (
	"crypto/tls"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// talk sends cmd and returns the reply's last line.
func talk(t *testing.T, tp *textproto.Conn, cmd string) string {
	t.Helper()
	if err := tp.PrintfLine("%s", cmd); err != nil {
		t.Fatal(err)
	}
	var last string
	for {
		l, err := tp.ReadLine()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		last = l
		if len(l) < 4 || l[3] != '-' {
			return last
		}
	}
}

// Replies are plain, with RFC 3463 enhanced codes, not go-smtp's jokes
// ("Roger, accepting mail from…"), before and after STARTTLS.
func TestRepliesArePlain(t *testing.T) {
	h := newHarness(t, harnessOpts{tls: true})
	conn, err := net.DialTimeout("tcp", h.addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	if _, err := tp.ReadLine(); err != nil {
		t.Fatal(err)
	}
	check := func(tp *textproto.Conn, phase string) {
		t.Helper()
		talk(t, tp, "EHLO client.example")
		for cmd, want := range map[string]string{
			"NOOP": "250 2.0.0 OK",
		} {
			if got := talk(t, tp, cmd); got != want {
				t.Errorf("%s %s: %q, want %q", phase, cmd, got, want)
			}
		}
		steps := []struct{ cmd, want string }{
			{"MAIL FROM:<ann@example.org>", "250 2.1.0 Sender <ann@example.org> OK"},
			{"RCPT TO:<support@support.test>", "250 2.1.5 Recipient <support@support.test> OK"},
			{"DATA", "354 Start mail input; end with <CRLF>.<CRLF>"},
			{"From: ann@example.org\r\nSubject: plain\r\nMessage-ID: <plain-" + phase + "@example.org>\r\n\r\nhello\r\n.", "250 2.0.0 "},
		}
		for _, s := range steps {
			got := talk(t, tp, s.cmd)
			if !strings.HasPrefix(got, s.want) || (s.want != "250 2.0.0 " && got != s.want) {
				t.Errorf("%s %q: %q, want %q", phase, strings.SplitN(s.cmd, "\r", 2)[0], got, s.want)
			}
			if strings.Contains(got, "Roger") || strings.Contains(got, "make sure") {
				t.Errorf("%s: go-smtp's joke reply %q", phase, got)
			}
		}
	}
	check(tp, "plain")
	if got := talk(t, tp, "STARTTLS"); !strings.HasPrefix(got, "220 ") {
		t.Fatalf("STARTTLS: %q", got)
	}
	tc := tls.Client(conn, h.tls)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	check(textproto.NewConn(tc), "tls")
}
