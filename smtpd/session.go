package smtpd

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/mailerr"
	"github.com/emersion/go-smtp"
)

// Refusals of the transport itself (the domain's come from bridge).
var (
	// errShuttingDown answers a DATA that arrives while the server stops.
	errShuttingDown = mailerr.New(421, "4.3.2", "shutting down, try again later")
	// errReading: the connection broke or timed out mid-DATA.
	errReading = mailerr.New(451, "4.4.2", "error reading the message")
	// errBadSender: MAIL FROM that is not UTF-8 (RFC 3463 §3.2 X.1.7:
	// bad sender's mailbox address syntax).
	errBadSender = mailerr.New(553, "5.1.7", "sender address is not valid UTF-8")
	// errLineTooLong: a line over MaxLineLength (RFC 5321 §4.5.3.1.6).
	errLineTooLong = mailerr.New(554, "5.6.0", fmt.Sprintf("message has a line longer than %d bytes", MaxLineLength))
)

// MaxLineLength bounds one line of a command or message: ten times the
// 1000 octets of RFC 5321 §4.5.3.1.6, as real mailers exceed it.
const MaxLineLength = 10000

// session is one SMTP transaction state of a connection (go-smtp makes it
// at EHLO/HELO and again after STARTTLS).
type session struct {
	s    *Server
	conn *smtp.Conn
	from string
	utf8 bool
	to   []string
	// state is the connection's (its error count outlives a session);
	// nil only for a connection that did not come from our listener.
	state *connState
	// refused gathers this session's RCPT refusals, logged at its end;
	// dropped says the connection went over the error limit. mu guards
	// both: go-smtp may call Logout from another goroutine (Server.Close).
	mu      sync.Mutex
	refused rejections
	dropped bool
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.m.sessions.Inc()
	st := stateOf(c.Conn())
	s.plainTexts(c, st)
	return &session{s: s, conn: c, state: st}, nil
}

// overLimit reports whether the connection has had its MaxErrors; if so
// the reply about to be written is the connection's last.
func (x *session) overLimit() bool {
	if x.state == nil || int(x.state.errors.Load()) < x.s.opts.MaxErrors {
		return false
	}
	x.mu.Lock()
	x.dropped = true
	x.mu.Unlock()
	if x.state.closeAfterWrite.CompareAndSwap(false, true) {
		x.s.m.rejected.WithLabelValues("too_many_errors").Inc()
	}
	return true
}

// fail counts a refused command towards the error limit.
func (x *session) fail() {
	if x.state != nil {
		x.state.errors.Add(1)
	}
}

func (x *session) remote() string {
	if nc := x.conn.Conn(); nc != nil {
		return nc.RemoteAddr().String()
	}
	return ""
}

// Mail starts a transaction (RFC 5321 §4.1.1.2). A SIZE over the limit is
// refused by go-smtp itself with 552 5.3.4.
func (x *session) Mail(from string, opts *smtp.MailOptions) error {
	if x.overLimit() {
		return toSMTP(errTooManyErrors)
	}
	x.from, x.to = "", nil
	// RFC 6531 §3.3: a mailbox is UTF-8 or nothing; bytes that are not
	// would become a customer named by mojibake.
	if !utf8.ValidString(from) {
		x.fail()
		x.s.m.rejected.WithLabelValues("bad_address").Inc()
		return toSMTP(errBadSender)
	}
	x.from = from
	x.utf8 = opts != nil && opts.UTF8
	return nil
}

// Rcpt accepts or refuses one recipient (SPEC §3); refusals are logged.
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.overLimit() {
		return toSMTP(errTooManyErrors)
	}
	if err := x.s.be.CheckRecipient(x.s.ctx, to); err != nil {
		x.s.m.rejected.WithLabelValues(reasonOf(err)).Inc()
		x.fail()
		x.mu.Lock()
		x.refused.add(x.from, to, "RCPT TO <"+to+">: "+describe(err))
		x.mu.Unlock()
		return toSMTP(err)
	}
	// A client that names one recipient twice (RFC 5321 §3.3 lets it)
	// gets 250 both times, but the mail is for that recipient once.
	if !slices.ContainsFunc(x.to, func(a string) bool { return strings.EqualFold(a, to) }) {
		x.to = append(x.to, to)
	}
	return nil
}

// Data reads the message and returns once it is stored (250), or the
// reason it is not.
func (x *session) Data(r io.Reader) error {
	if x.state != nil && x.state.closeAfterWrite.Load() {
		return toSMTP(errTooManyErrors) // a client that pipelined past the 421
	}
	if x.s.opts.MaxMessageBytes > 0 {
		x.s.widen(r)
	}
	raw, err := io.ReadAll(&deadlineReader{r: r, conn: x.conn.Conn(), timeout: x.s.opts.ReadTimeout})
	env := bridge.Envelope{From: x.from, To: append([]string(nil), x.to...), RemoteAddr: x.remote(), Helo: x.conn.Hostname()}
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge):
		x.s.m.rejected.WithLabelValues("too_big").Inc()
		x.s.be.LogRejection(x.s.ctx, env, fmt.Sprintf("DATA: %s (more than %d bytes)", describe(mailerr.ErrTooBig), x.s.opts.MaxMessageBytes))
		return toSMTP(mailerr.ErrTooBig)
	case errors.Is(err, smtp.ErrTooLongLine):
		x.s.m.rejected.WithLabelValues("line_too_long").Inc()
		x.s.be.LogRejection(x.s.ctx, env, fmt.Sprintf("DATA: a line longer than %d bytes (RFC 5321 §4.5.3.1.6)", MaxLineLength))
		return toSMTP(errLineTooLong)
	case err != nil:
		return toSMTP(errReading)
	}
	dot := time.Now()
	x.s.mu.RLock()
	defer x.s.mu.RUnlock()
	if x.s.closed {
		return toSMTP(errShuttingDown)
	}
	env.Trace = x.trace(dot)
	if _, err := x.s.be.Receive(x.s.ctx, env, raw); err != nil {
		x.s.m.rejected.WithLabelValues(reasonOf(err)).Inc()
		return toSMTP(err)
	}
	x.s.m.commit.Observe(time.Since(dot).Seconds())
	x.s.m.accepted.Inc()
	return nil
}

// trace is the Received field deskgate adds (RFC 5321 §4.4; "with" per
// RFC 3848 and RFC 6531 §4.3).
func (x *session) trace(at time.Time) string {
	with := "ESMTP"
	if x.utf8 {
		with = "UTF8SMTP"
	}
	if _, ok := x.conn.TLSConnectionState(); ok {
		with += "S"
	}
	ip := x.remote()
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	helo := strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, x.conn.Hostname())
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from %s ([%s])\r\n\tby %s with %s", helo, ip, x.s.opts.Hostname, with)
	if len(x.to) == 1 && !strings.ContainsAny(x.to[0], "\r\n") {
		fmt.Fprintf(&b, "\r\n\tfor <%s>", x.to[0])
	}
	fmt.Fprintf(&b, "; %s\r\n", at.UTC().Format(time.RFC1123Z))
	return b.String()
}

// Reset aborts the transaction (RSET, a new MAIL, after DATA).
func (x *session) Reset() { x.from, x.to, x.utf8 = "", nil, false }

// Logout ends the session (the connection closes, or STARTTLS starts a
// new one): its refused recipients become one mail log entry.
func (x *session) Logout() error {
	x.mu.Lock()
	r, dropped := x.refused, x.dropped
	x.refused = rejections{}
	x.mu.Unlock()
	if r.count > 0 {
		x.s.be.LogRejection(x.s.ctx, bridge.Envelope{From: r.from, To: r.to, RemoteAddr: x.remote()},
			r.detail(dropped, x.s.opts.MaxErrors))
	}
	return nil
}

// deadlineChunk bounds one read of a DATA body: go-smtp's data reader
// blocks until it has filled the buffer, so the deadline is extended at
// least every deadlineChunk bytes. A client must keep sending at least
// this much per read timeout.
const deadlineChunk = 4096

// deadlineReader extends the connection's read deadline on every read of
// a DATA body: go-smtp sets it once per command line only, so a large
// body on a slow link would otherwise time out mid-transfer (#196).
type deadlineReader struct {
	r       io.Reader
	conn    net.Conn
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if len(p) > deadlineChunk {
		p = p[:deadlineChunk]
	}
	if d.conn != nil && d.timeout > 0 {
		_ = d.conn.SetReadDeadline(time.Now().Add(d.timeout))
	}
	return d.r.Read(p)
}
