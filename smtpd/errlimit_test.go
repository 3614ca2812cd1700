package smtpd_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// rawSession is a hand-spoken SMTP connection (for pipelining and bytes
// net/smtp will not send).
type rawSession struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func (h *harness) raw1(t testing.TB) *rawSession {
	t.Helper()
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	s := &rawSession{t: t, conn: conn, r: bufio.NewReader(conn)}
	s.reply()
	s.cmd("EHLO client.example")
	return s
}

// reply reads one (possibly multi-line) reply; "" at EOF.
func (s *rawSession) reply() string {
	s.t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Logf("read: %v", err)
			return ""
		}
		line = strings.TrimSpace(line)
		if len(line) < 4 || line[3] != '-' {
			return line
		}
	}
}

func (s *rawSession) cmd(line string) string {
	s.t.Helper()
	if _, err := fmt.Fprintf(s.conn, "%s\r\n", line); err != nil {
		return ""
	}
	return s.reply()
}

// waitLog waits (bounded) until the inbound mail log has n entries more
// than before, then returns those.
func (h *harness) waitLog(before, n int) []store.MailLogEntry {
	h.t.Helper()
	var es []store.MailLogEntry
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if es = h.log(); len(es)-before >= n {
			return es[before:]
		}
	}
	h.t.Fatalf("mail log has %d new entries, want %d: %+v", len(es)-before, n, es[before:])
	return nil
}

// Sessions that guess addresses: after 20 refusals a connection is
// answered 421 4.7.0 and closed, and each session's refusals are one mail
// log entry with a count. (Before: every 550 was a committed row and a
// connection was never dropped: 10 x 1,000 bogus RCPTs grew the store by
// 10,000 rows.)
func TestRcptErrorsDropTheSessionAndLogOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	before := len(h.log())
	const sessions, guesses = 10, 1000
	var wg sync.WaitGroup
	results := make([][]string, sessions)
	for i := 0; i < sessions; i++ {
		s := h.raw1(t)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Pipelined, as a spammer would: every command at once.
			var b strings.Builder
			b.WriteString("MAIL FROM:<guess@example.net>\r\n")
			for j := 0; j < guesses; j++ {
				fmt.Fprintf(&b, "RCPT TO:<nobody%d-%d@support.test>\r\n", i, j)
			}
			go func() { _, _ = s.conn.Write([]byte(b.String())) }()
			var got []string
			for j := 0; j <= guesses+1; j++ {
				r := s.reply()
				if r == "" {
					break
				}
				got = append(got, r)
			}
			results[i] = got
		}(i)
	}
	wg.Wait()
	for i, got := range results {
		// 250 for MAIL, 20 refusals, one 421, then the connection is gone.
		if len(got) != 1+20+1 {
			t.Fatalf("session %d: %d replies, want 22: %q", i, len(got), got[len(got)-3:])
		}
		for _, r := range got[1:21] {
			wantReply(t, "guess", r, "550 5.1.1")
		}
		wantReply(t, "21st error", got[21], "421 4.7.0")
	}
	h.waitLog(before, sessions)
	time.Sleep(200 * time.Millisecond) // nothing more arrives
	es := h.log()[before:]
	if len(es) != sessions {
		t.Fatalf("%d mail log entries for %d sessions", len(es), sessions)
	}
	for _, e := range es {
		if e.Status != "rejected" || e.From != "guess@example.net" || !strings.Contains(e.Detail, "20 recipients refused in one session") ||
			!strings.Contains(e.Detail, "and 10 more") || !strings.Contains(e.Detail, "connection closed after 20 errors") {
			t.Fatalf("entry %+v", e)
		}
		if n := strings.Count(e.To, "@support.test"); n != 10 {
			t.Fatalf("entry lists %d addresses: %q", n, e.To)
		}
	}
	if n := metricValue(t, h, "deskgate_smtp_rejected_total", "too_many_errors"); n != sessions {
		t.Fatalf("too_many_errors = %d", n)
	}
	// A new EHLO does not reset the count: it belongs to the connection.
	s := h.raw1(t)
	wantReply(t, "MAIL", s.cmd("MAIL FROM:<x@example.net>"), "250")
	for i := 0; i < 20; i++ {
		if i == 10 {
			wantReply(t, "EHLO again", s.cmd("EHLO again.example"), "250")
			wantReply(t, "MAIL", s.cmd("MAIL FROM:<x@example.net>"), "250")
		}
		wantReply(t, "guess", s.cmd(fmt.Sprintf("RCPT TO:<no%d@support.test>", i)), "550 5.1.1")
	}
	wantReply(t, "over the limit", s.cmd("RCPT TO:<support@support.test>"), "421 4.7.0")
	if r := s.reply(); r != "" {
		t.Fatalf("connection still open: %q", r)
	}
}

// A few refusals in an otherwise good session: the mail goes through, the
// refusals are one entry.
func TestFewRcptErrorsKeepTheSession(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	before := len(h.log())
	wantReply(t, "mixed", h.send("x@example.com", []string{"nobody@support.test", "support@support.test", "a@elsewhere.example", "support@support.test"},
		"From: x@example.com\nSubject: hi\n\nhello\n"), "550 5.1.1")
	s := h.raw1(t)
	wantReply(t, "MAIL", s.cmd("MAIL FROM:<x@example.com>"), "250")
	wantReply(t, "bad", s.cmd("RCPT TO:<nobody@support.test>"), "550 5.1.1")
	wantReply(t, "bad", s.cmd("RCPT TO:<a@elsewhere.example>"), "550 5.7.1")
	wantReply(t, "good", s.cmd("RCPT TO:<support@support.test>"), "250")
	wantReply(t, "DATA", s.cmd("DATA"), "354")
	wantReply(t, "dot", s.cmd("From: x@example.com\r\nSubject: hi\r\nMessage-ID: <few@example.com>\r\n\r\nhello\r\n."), "250")
	wantReply(t, "QUIT", s.cmd("QUIT"), "221")
	es := h.waitLog(before, 3)
	var rejected []store.MailLogEntry
	for _, e := range es {
		if e.Status == "rejected" {
			rejected = append(rejected, e)
		}
	}
	// Each session logs its refusals when it ends, and the first one may
	// end after the second: the order of the two entries is not fixed.
	if len(rejected) == 2 && strings.Contains(rejected[0].Detail, "recipients refused in one session") {
		rejected[0], rejected[1] = rejected[1], rejected[0]
	}
	if len(rejected) != 2 || rejected[0].Detail != "RCPT TO <nobody@support.test>: 550 5.1.1 no such user" ||
		!strings.Contains(rejected[1].Detail, "2 recipients refused in one session") || rejected[1].To != "nobody@support.test, a@elsewhere.example" {
		t.Fatalf("entries %+v", es)
	}
}

// MAIL FROM that is not UTF-8 is refused 553 5.1.7 (before: a customer
// named "\xff\xfe@example.org" was created).
func TestMailFromInvalidUTF8(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	s := h.raw1(t)
	wantReply(t, "bad MAIL FROM", s.cmd("MAIL FROM:<\xff\xfe@example.org> SMTPUTF8"), "553 5.1.7")
	wantReply(t, "RCPT without MAIL", s.cmd("RCPT TO:<support@support.test>"), "502")
	wantReply(t, "good MAIL FROM", s.cmd("MAIL FROM:<jürgen@example.org> SMTPUTF8"), "250")
}

// A message of exactly the size limit is accepted (SIZE=<max> too); one
// byte more is 552 5.3.4. Before: the exact size was refused 552.
func TestSizeLimitExact(t *testing.T) {
	const max = 4096
	h := newHarness(t, harnessOpts{maxBytes: max})
	head := "From: a@example.com\r\nTo: support@support.test\r\nSubject: exact\r\nMessage-ID: <exact@example.com>\r\n\r\n"
	body := func(n int) string {
		fill := n - len(head) - 2
		return head + strings.Repeat("x", fill) + "\r\n"
	}
	if n := len(body(max)); n != max {
		t.Fatalf("test message is %d bytes", n)
	}
	s := h.raw1(t)
	wantReply(t, "MAIL SIZE=max", s.cmd(fmt.Sprintf("MAIL FROM:<a@example.com> SIZE=%d", max)), "250")
	wantReply(t, "RCPT", s.cmd("RCPT TO:<support@support.test>"), "250")
	wantReply(t, "DATA", s.cmd("DATA"), "354")
	wantReply(t, "exactly max bytes", s.cmd(body(max)+"."), "250")
	h.mustStatus("created", "new conversation")
	wantReply(t, "MAIL", s.cmd("MAIL FROM:<a@example.com>"), "250")
	wantReply(t, "RCPT", s.cmd("RCPT TO:<support@support.test>"), "250")
	wantReply(t, "DATA", s.cmd("DATA"), "354")
	wantReply(t, "max+1 bytes", s.cmd(strings.Replace(body(max+1), "exact@", "exac2@", 1)+"."), "552 5.3.4")
	// A dot-stuffed line counts once (RFC 5321 §4.5.2).
	wantReply(t, "MAIL", s.cmd("MAIL FROM:<a@example.com>"), "250")
	wantReply(t, "RCPT", s.cmd("RCPT TO:<support@support.test>"), "250")
	wantReply(t, "DATA", s.cmd("DATA"), "354")
	stuffed := strings.Replace(body(max), "exact@", "exac3@", 1)
	stuffed = stuffed[:len(head)] + "." + stuffed[len(head)+1:]
	wantReply(t, "stuffed, max bytes", s.cmd(strings.Replace(stuffed, "\r\n.", "\r\n..", 1)+"."), "250")
}
