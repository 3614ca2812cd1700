package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Resolver is what MX delivery asks DNS: *net.Resolver and
// *senderauth.Resolver (DESKGATE_DNS) have these methods.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// result is the outcome of one delivery attempt.
type result struct {
	ok        bool   // the upstream answered 250 to the end of DATA
	permanent bool   // a 5xx reply: do not retry
	replied   bool   // the upstream answered (the connection is still usable)
	captured  bool   // DESKGATE_OUTBOUND=capture: kept, not sent
	text      string // the upstream's reply or the error, in words
	// enhanced is the reply's RFC 3463 enhanced status code ("5.1.1"),
	// kept as the reply gave it (go-smtp's SMTPError.EnhancedCode, or the
	// first word of a reply's text, RFC 2034 §4), never searched for in
	// text, which also holds the upstream's address ("10.5.1.10:587").
	enhanced string
}

// session is one SMTP connection to a destination, reused for several
// emails in a row (one transaction each, RFC 5321 §3.3).
type session struct {
	c    *smtp.Client
	conn net.Conn
	addr string
	stop func() bool
}

// mxHosts returns the hosts to try for domain: its MX hosts by
// preference, or the domain itself when it has no MX (RFC 5321 §5.1
// implicit MX). A null MX (RFC 7505) or a domain that does not exist is a
// permanent failure; a DNS failure is temporary.
func (q *Queue) mxHosts(ctx context.Context, domain string) ([]string, *result) {
	if domain == "" {
		return nil, &result{permanent: true, enhanced: "5.1.3", text: "550 5.1.3 recipient address has no domain"}
	}
	mxs, err := q.opts.Resolver.LookupMX(ctx, domain)
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(mxs) == 1 && mxs[0].Host == ".":
		return nil, &result{permanent: true, enhanced: "5.1.10", text: "556 5.1.10 " + domain + " accepts no mail (null MX, RFC 7505)"}
	case err == nil && len(mxs) > 0:
		slices.SortStableFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
		hosts := make([]string, 0, len(mxs))
		for _, mx := range mxs {
			hosts = append(hosts, strings.TrimSuffix(mx.Host, "."))
		}
		return hosts, nil
	case err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound):
		return nil, &result{text: fmt.Sprintf("MX lookup for %s: %v", domain, err)}
	}
	if _, err := q.opts.Resolver.LookupHost(ctx, domain); err != nil {
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, &result{permanent: true, enhanced: "5.1.2", text: "550 5.1.2 " + domain + " has no MX and no address record"}
		}
		return nil, &result{text: fmt.Sprintf("address lookup for %s: %v", domain, err)}
	}
	return []string{domain}, nil
}

// dial connects to addr and gets past EHLO, STARTTLS when offered (RFC
// 3207) and AUTH PLAIN to a smarthost when a user is configured (RFC
// 4954). A smarthost's certificate is verified unless
// SmarthostInsecureTLS; with MX hosts TLS is opportunistic (RFC 7435) and
// not verified. The connection closes when ctx ends.
func (q *Queue) dial(ctx context.Context, addr, serverName string, smarthost bool) (*session, *result) {
	conn, err := q.connectTCP(ctx, addr, !smarthost)
	if err != nil {
		return nil, &result{text: fmt.Sprintf("connect %s: %v", addr, err)}
	}
	_ = conn.SetDeadline(time.Now().Add(q.opts.AttemptTimeout))
	s := &session{conn: conn, addr: addr, stop: context.AfterFunc(ctx, func() { conn.Close() })}
	tlsCfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12, InsecureSkipVerify: !smarthost || q.opts.SmarthostInsecureTLS} //nolint:gosec // opportunistic TLS for MX, see doc
	c, secure, err := q.open(conn, tlsCfg)
	if err != nil {
		s.close()
		res := failure(addr, "greeting", err)
		return nil, &res
	}
	s.c = c
	if smarthost && q.opts.SmarthostUser != "" {
		if !secure && !isLoopback(serverName) {
			s.close()
			return nil, &result{text: fmt.Sprintf("%s: refusing AUTH without TLS", addr)}
		}
		if err := c.Auth(sasl.NewPlainClient("", q.opts.SmarthostUser, q.opts.SmarthostPassword)); err != nil {
			s.close()
			// Rejected credentials are our configuration's fault, not the
			// email's: retry (once the password is fixed) instead of bouncing.
			res := failure(addr, "AUTH", err)
			res.permanent = false
			return nil, &res
		}
	}
	return s, nil
}

// connectTCP dials host:port. An MX host is resolved through the queue's
// Resolver (DESKGATE_DNS, SPEC §12) and its addresses tried in turn; a
// smarthost by the system's resolver (it may be a name of /etc/hosts).
func (q *Queue) connectTCP(ctx context.Context, addr string, mx bool) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	if !mx || net.ParseIP(host) != nil {
		return d.DialContext(ctx, "tcp", addr)
	}
	ips, err := q.opts.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	var last error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.IP.String(), port))
		if err == nil {
			return conn, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	if last == nil {
		last = fmt.Errorf("no address for %s", host)
	}
	return nil, last
}

// send delivers one email in the session: MAIL FROM the bounce address,
// RCPT TO, DATA. After a reply other than 250 the transaction is reset so
// the session can carry the next email.
func (s *session) send(rec *store.OutboundEmail, raw []byte, timeout time.Duration) result {
	_ = s.conn.SetDeadline(time.Now().Add(timeout))
	res := s.transaction(rec, raw)
	if !res.ok && res.replied {
		if err := s.c.Reset(); err != nil {
			res.replied = false // not reusable
		}
	}
	return res
}

func (s *session) transaction(rec *store.OutboundEmail, raw []byte) result {
	var opts *smtp.MailOptions
	if rec.RawNotLogged {
		// A password link: a bounce returns the headers only (RFC 3461
		// §4.3), so the link does not come back into the mail log.
		opts = &smtp.MailOptions{Return: smtp.DSNReturnHeaders}
	}
	if err := s.c.Mail(rec.EnvelopeFrom, opts); err != nil {
		return failure(s.addr, "MAIL FROM", err)
	}
	if err := s.c.Rcpt(rec.Recipient, nil); err != nil {
		return failure(s.addr, "RCPT TO", err)
	}
	w, err := s.c.Data()
	if err != nil {
		return failure(s.addr, "DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return failure(s.addr, "DATA", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return failure(s.addr, "end of DATA", err)
	}
	return result{ok: true, replied: true, text: fmt.Sprintf("%s: 250 %s", s.addr, resp.StatusText)}
}

// quit ends the session politely; close just drops it.
func (s *session) quit() {
	_ = s.conn.SetDeadline(time.Now().Add(10 * time.Second))
	_ = s.c.Quit()
	s.close()
}

func (s *session) close() {
	s.stop()
	if s.c != nil {
		s.c.Close()
	}
	s.conn.Close()
}

// open reads the greeting, says EHLO, and upgrades to TLS when the server
// offers STARTTLS; it returns a go-smtp client past EHLO. (go-smtp's
// client can only STARTTLS unconditionally, so the first EHLO is ours.)
func (q *Queue) open(conn net.Conn, tlsCfg *tls.Config) (*smtp.Client, bool, error) {
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, false, err
	}
	if err := tp.PrintfLine("EHLO %s", q.opts.Hostname); err != nil {
		return nil, false, err
	}
	_, msg, err := tp.ReadResponse(250)
	if err != nil {
		return nil, false, err
	}
	var secure bool
	if hasExtension(msg, "STARTTLS") {
		if err := tp.PrintfLine("STARTTLS"); err != nil {
			return nil, false, err
		}
		if _, _, err := tp.ReadResponse(220); err != nil {
			return nil, false, err
		}
		tc := tls.Client(conn, tlsCfg)
		if err := tc.Handshake(); err != nil {
			return nil, false, fmt.Errorf("TLS: %w", err)
		}
		conn, secure = tc, true
	}
	// After STARTTLS (or our EHLO) the server sends no new greeting, but
	// go-smtp's client waits for one: supply it.
	c := smtp.NewClient(&greetedConn{Conn: conn, r: io.MultiReader(strings.NewReader("220 resumed\r\n"), conn)})
	c.CommandTimeout = 2 * time.Minute
	c.SubmissionTimeout = 5 * time.Minute
	if err := c.Hello(q.opts.Hostname); err != nil {
		c.Close()
		return nil, false, err
	}
	return c, secure, nil
}

// greetedConn is a connection whose reads start with a synthetic greeting.
type greetedConn struct {
	net.Conn
	r io.Reader
}

// Read reads the synthetic greeting first, then the connection.
func (g *greetedConn) Read(p []byte) (int, error) { return g.r.Read(p) }

func hasExtension(ehlo, name string) bool {
	lines := strings.Split(ehlo, "\n")
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], name) {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// failure turns an error of stage into a result: a 5xx reply is permanent;
// 4xx replies, network and TLS errors are temporary.
func failure(addr, stage string, err error) result {
	var se *smtp.SMTPError
	var pe *textproto.Error
	switch {
	case errors.As(err, &se):
		reply, enhanced := fmt.Sprint(se.Code), ""
		if se.EnhancedCode[0] > 0 {
			enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
			reply += " " + enhanced
		}
		reply += " " + oneLine(se.Message)
		return result{permanent: se.Code >= 500, replied: true, enhanced: enhanced, text: fmt.Sprintf("%s: %s: %s", addr, stage, reply)}
	case errors.As(err, &pe):
		return result{permanent: pe.Code >= 500, replied: true, enhanced: leadingEnhanced(pe.Msg),
			text: fmt.Sprintf("%s: %s: %d %s", addr, stage, pe.Code, oneLine(pe.Msg))}
	}
	return result{text: fmt.Sprintf("%s: %s: %v", addr, stage, err)}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// enhancedCode is an RFC 3463 status code: class.subject.detail.
var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}$`)

// leadingEnhanced returns the enhanced status code a reply text starts
// with (RFC 2034 §4), or "".
func leadingEnhanced(msg string) string {
	if f := strings.Fields(msg); len(f) > 0 && enhancedCode.MatchString(f[0]) {
		return f[0]
	}
	return ""
}
