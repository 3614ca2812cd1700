package smtpd

import (
	"io"
	"net"
	"sync"
	"time"
)

// Connection limits: go-smtp has none, so the listener enforces them. A
// connection over a limit is greeted with 421 (RFC 5321 §3.8: the server
// may refuse service with 421 and close) and closed, so the client retries
// later instead of queueing on a saturated server.
const (
	DefaultMaxConnections      = 500
	DefaultMaxConnectionsPerIP = 50
)

// limitListener wraps a listener with a total and a per-IP cap of open
// connections.
type limitListener struct {
	net.Listener
	max, perIP int
	onRefuse   func()

	mu   sync.Mutex
	open int
	byIP map[string]int
}

func newLimitListener(ln net.Listener, max, perIP int, onRefuse func()) *limitListener {
	return &limitListener{Listener: ln, max: max, perIP: perIP, onRefuse: onRefuse, byIP: map[string]int{}}
}

// Accept returns the next connection within the limits; refused ones are
// answered and closed here.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(c.RemoteAddr())
		l.mu.Lock()
		ok := l.open < l.max && l.byIP[ip] < l.perIP
		if ok {
			l.open++
			l.byIP[ip]++
		}
		l.mu.Unlock()
		if ok {
			return &countedConn{Conn: c, release: func() { l.release(ip) }}, nil
		}
		if l.onRefuse != nil {
			l.onRefuse()
		}
		go refuse(c)
	}
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	l.open--
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
	l.mu.Unlock()
}

// refuse answers 421 and closes, without waiting on a slow client.
func refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write([]byte("421 4.7.0 too many connections, try again later\r\n"))
	_ = c.Close()
}

func hostOf(a net.Addr) string {
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// countedConn releases its slot once, on the first Close, and carries
// the connection's error count (errlimit.go).
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
	state   connState
}

// Write writes p. When the session asked for it (the 421 that ends a
// connection over the error limit) it then half-closes: the client gets
// the reply and an end of stream, and the server reads no more commands.
func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.state.closeAfterWrite.Load() && c.state.dropped.CompareAndSwap(false, true) {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	return n, err
}

// Read reads, or reports the end of the stream once the connection is
// being dropped.
func (c *countedConn) Read(p []byte) (int, error) {
	if c.state.dropped.Load() {
		return 0, io.EOF
	}
	return c.Conn.Read(p)
}

// Close closes the connection. A dropped one is drained for a moment
// first (bounded in time and bytes): closing a socket with unread input
// sends a TCP reset, which can destroy the 421 before the client reads it.
func (c *countedConn) Close() error {
	if c.state.dropped.Load() {
		c.once.Do(func() {
			go func() {
				_ = c.Conn.SetReadDeadline(time.Now().Add(lingerTime))
				_, _ = io.CopyN(io.Discard, c.Conn, lingerBytes)
				_ = c.Conn.Close()
				c.release()
			}()
		})
		return nil
	}
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// How long and how much a dropped connection is drained before it closes.
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 1 << 20
)
