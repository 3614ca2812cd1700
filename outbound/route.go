package outbound

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// route is where one worker delivers the emails of one destination: the
// smarthost, or the destination domain's MX hosts in preference order
// (RFC 5321 §5.1). A session to a host is opened when an email first
// needs it and kept for the worker's next emails.
//
// Each email starts at the most preferred host that is still reachable
// and moves on to the next host on any temporary failure, whether the
// host could not be reached or answered 4xx once the connection was up
// (at MAIL, RCPT or the end of DATA): all within the same attempt. A 5xx
// stops the email where it was given.
type route struct {
	q      *Queue
	domain string
	hosts  []*routeHost
	failed *result // the hosts could not be found: every email's result
	found  bool
}

// routeHost is one host of a route with its session, if open.
type routeHost struct {
	name      string // host name, for TLS and for the log
	addr      string // host:port
	smarthost bool
	s         *session
	// down is the result of a failed connection: the host is not dialed
	// again for the rest of the worker's emails.
	down *result
}

func newRoute(q *Queue, domain string) *route { return &route{q: q, domain: domain} }

// find looks up the hosts once, at the first email.
func (r *route) find(ctx context.Context) {
	r.found = true
	if sh := r.q.opts.Smarthost; sh != "" {
		host, _, err := net.SplitHostPort(sh)
		if err != nil {
			r.failed = &result{text: fmt.Sprintf("smarthost %q: %v", sh, err)}
			return
		}
		r.hosts = []*routeHost{{name: host, addr: sh, smarthost: true}}
		return
	}
	names, res := r.q.mxHosts(ctx, r.domain)
	if res != nil {
		r.failed = res
		return
	}
	for _, h := range names {
		r.hosts = append(r.hosts, &routeHost{name: h, addr: net.JoinHostPort(h, r.q.opts.MXPort)})
	}
}

// deliver makes this attempt of one email: host after host until one
// accepts it (250), one refuses it for good (5xx), or none is left. The
// result of a temporary failure names every host tried.
func (r *route) deliver(ctx context.Context, rec *store.OutboundEmail, raw []byte) result {
	if !r.found {
		r.find(ctx)
	}
	if r.failed != nil {
		return *r.failed
	}
	var tried []string
	var last result
	for _, h := range r.hosts {
		if ctx.Err() != nil {
			if len(tried) == 0 {
				return result{text: "not attempted: shutting down"}
			}
			break
		}
		res := r.via(ctx, h, rec, raw)
		if res.ok || res.permanent {
			return res
		}
		tried, last = append(tried, res.text), res
	}
	if len(tried) > 1 {
		last.text = strings.Join(tried, "; ")
	}
	return last
}

// via sends one email over h's session, connecting first when needed.
func (r *route) via(ctx context.Context, h *routeHost, rec *store.OutboundEmail, raw []byte) result {
	if h.down != nil {
		return *h.down
	}
	if h.s == nil {
		s, res := r.q.dial(ctx, h.addr, h.name, h.smarthost)
		if res != nil {
			h.down = res
			return *res
		}
		h.s = s
	}
	res := h.s.send(rec, raw, r.q.opts.AttemptTimeout)
	if !res.replied {
		// The connection broke: the next email dials again.
		h.s.close()
		h.s = nil
	}
	return res
}

// close ends every open session politely.
func (r *route) close() {
	for _, h := range r.hosts {
		if h.s != nil {
			h.s.quit()
			h.s = nil
		}
	}
}
