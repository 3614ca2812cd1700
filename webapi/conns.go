package webapi

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Connection limits and deadlines of the HTTP listener. A client that
// sends its headers or its body slowly, or opens connections without end,
// must not hold the process's file descriptors: the MX shares them
// (SPEC §2), and it has its own, separate budget (smtpd.Options).
const (
	// DefaultMaxConnections caps open HTTP connections in all.
	DefaultMaxConnections = 1000
	// DefaultMaxConnectionsPerIP caps open HTTP connections per client
	// address, an IPv6 client's /64 as one (a trusted proxy counts only
	// in the total).
	DefaultMaxConnectionsPerIP = 64
	// DefaultHeaderTimeout is how long a client has to send a request's
	// headers, from the first byte of the request.
	DefaultHeaderTimeout = 10 * time.Second
	// DefaultBodyTimeout is how long a client has to send a request's body,
	// counted from the start of the request: a body that trickles cannot
	// stretch it. Event streams are exempt (they send no body).
	DefaultBodyTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the writing of one response (and of each
	// event of an event stream) to a client that does not read.
	DefaultWriteTimeout = 60 * time.Second
	// DefaultIdleTimeout closes a kept-alive connection with no request.
	DefaultIdleTimeout = 50 * time.Second
)

// ConnLimits configure the HTTP listener and server; zero values take
// the defaults above.
type ConnLimits struct {
	MaxConnections, MaxConnectionsPerIP int
	HeaderTimeout, BodyTimeout          time.Duration
	WriteTimeout, IdleTimeout           time.Duration
	// Shared are addresses whose connections count only in the total,
	// never in a per-address cap: the trusted reverse proxies, which
	// carry many clients on few addresses.
	Shared []netip.Prefix
}

func (l ConnLimits) withDefaults() ConnLimits {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxConnections <= 0 {
		l.MaxConnections = DefaultMaxConnections
	}
	if l.MaxConnectionsPerIP <= 0 {
		l.MaxConnectionsPerIP = DefaultMaxConnectionsPerIP
	}
	def(&l.BodyTimeout, DefaultBodyTimeout)
	def(&l.HeaderTimeout, min(DefaultHeaderTimeout, l.BodyTimeout))
	def(&l.WriteTimeout, DefaultWriteTimeout)
	def(&l.IdleTimeout, DefaultIdleTimeout)
	return l
}

// NewHTTPServer is the http.Server for the API's handler h with the
// header and idle deadlines of l; the body and write deadlines are set
// per request by the API's handler (Options.Conns), because a whole-
// request ReadTimeout would also end every event stream.
func NewHTTPServer(h http.Handler, l ConnLimits) *http.Server {
	l = l.withDefaults()
	return &http.Server{Handler: h, ReadHeaderTimeout: l.HeaderTimeout, IdleTimeout: l.IdleTimeout,
		MaxHeaderBytes: 64 << 10}
}

// LimitListener caps ln's open connections in all and per client address
// (l.MaxConnections, l.MaxConnectionsPerIP). A connection over a cap is
// answered 503 and closed at once; onRefuse (may be nil) is told.
func LimitListener(ln net.Listener, l ConnLimits, onRefuse func()) net.Listener {
	l = l.withDefaults()
	return &limitListener{Listener: ln, lim: l, onRefuse: onRefuse, byIP: map[netip.Addr]int{}}
}

type limitListener struct {
	net.Listener
	lim      ConnLimits
	onRefuse func()

	mu   sync.Mutex
	open int
	byIP map[netip.Addr]int
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := peerAddr(c.RemoteAddr())
		shared := l.shared(ip)
		l.mu.Lock()
		ok := l.open < l.lim.MaxConnections && (shared || l.byIP[ip] < l.lim.MaxConnectionsPerIP)
		if ok {
			l.open++
			if !shared {
				l.byIP[ip]++
			}
		}
		l.mu.Unlock()
		if ok {
			return &limitedConn{Conn: c, release: func() { l.release(ip, shared) }}, nil
		}
		if l.onRefuse != nil {
			l.onRefuse()
		}
		go refuseHTTP(c)
	}
}

func (l *limitListener) shared(ip netip.Addr) bool {
	for _, p := range l.lim.Shared {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (l *limitListener) release(ip netip.Addr, shared bool) {
	l.mu.Lock()
	l.open--
	if !shared {
		if l.byIP[ip]--; l.byIP[ip] <= 0 {
			delete(l.byIP, ip)
		}
	}
	l.mu.Unlock()
}

// refuseHTTP answers 503 and closes, waiting at most a few seconds on a
// client that does not read.
func refuseHTTP(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
		"Retry-After: 5\r\nContent-Length: 21\r\n\r\ntoo many connections\n"))
	_ = c.Close()
}

// peerAddr is the client address a connection counts under: an IPv4
// address, or an IPv6 address's /64 (one host usually holds a whole /64,
// and counting each of its addresses apart would be no cap at all).
func peerAddr(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// deadlines sets, as each request starts, the deadline for its body
// (BodyTimeout from now: however slowly the body trickles, the read ends
// then) and for its response. Event streams lift the read deadline and
// set a write deadline per event (events).
func deadlines(next http.Handler, l ConnLimits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		_ = rc.SetReadDeadline(now.Add(l.BodyTimeout)) // unsupported only under test recorders
		_ = rc.SetWriteDeadline(now.Add(l.WriteTimeout))
		next.ServeHTTP(w, r)
	})
}
