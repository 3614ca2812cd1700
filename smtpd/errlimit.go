package smtpd

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/deskgate/deskgate/mailerr"
)

// The error limit (as Postfix's smtpd_hard_error_limit, 20): a connection
// that has had MaxErrors refused commands (RCPT TO, MAIL FROM) is answered
// 421 4.7.0 on its next MAIL or RCPT and closed (RFC 5321 §3.8). A stranger
// guessing addresses costs at most this many lookups per connection, and
// the per-IP connection cap bounds how many connections guess at once.
const DefaultMaxErrors = 20

// errTooManyErrors ends a connection that went over the error limit.
var errTooManyErrors = mailerr.New(421, "4.7.0", "too many errors, closing connection")

// connState is what one connection remembers across its sessions (go-smtp
// makes a new session at every EHLO and after STARTTLS).
type connState struct {
	errors atomic.Int32
	// closeAfterWrite closes the connection right after the next reply is
	// written (the 421 that ends it).
	closeAfterWrite atomic.Bool
	// dropped: the 421 went out; the connection reads no more.
	dropped atomic.Bool
	// plainWriter is the writer replytext.go installed last (guarded by mu).
	mu          sync.Mutex
	plainWriter *bufio.Writer
}

// stateOf finds the connection state under c (a counted connection, maybe
// inside TLS); nil when c did not come from our listener.
func stateOf(c net.Conn) *connState {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	if cc, ok := c.(*countedConn); ok {
		return &cc.state
	}
	return nil
}

// rejections gathers one session's refused recipients, so the mail log
// gets one entry per session with a count instead of a row per RCPT TO.
type rejections struct {
	from    string // the envelope sender at the first refusal
	count   int
	to      []string // the first maxListed refused addresses
	details []string // and why each was refused
}

// maxListed bounds how many refusals one entry spells out.
const maxListed = 10

func (r *rejections) add(from, to, detail string) {
	if r.count == 0 {
		r.from = from
	}
	r.count++
	if len(r.to) < maxListed {
		r.to = append(r.to, to)
		r.details = append(r.details, detail)
	}
}

// detail is the mail log's detail: one refusal as before ("RCPT TO <a>:
// 550 5.1.1 no such user"), several as a count and the first few.
func (r *rejections) detail(dropped bool, limit int) string {
	var b strings.Builder
	if r.count == 1 {
		b.WriteString(r.details[0])
	} else {
		fmt.Fprintf(&b, "%d recipients refused in one session: %s", r.count, strings.Join(r.details, "; "))
		if more := r.count - len(r.details); more > 0 {
			fmt.Fprintf(&b, "; and %d more", more)
		}
	}
	if dropped {
		fmt.Fprintf(&b, "; connection closed after %d errors (421 4.7.0)", limit)
	}
	return b.String()
}
