package outbound

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// received is one message the test upstream accepted.
type received struct {
	From string
	To   []string
	Data []byte
	Ret  string // MAIL FROM's RET= (RFC 3461 §4.3), "" when not given
}

// upstream is a real SMTP server on 127.0.0.1 that records what it gets
// and answers the end of DATA with whatever reply() says (nil: 250).
type upstream struct {
	addr string
	srv  *smtp.Server

	mu       sync.Mutex
	got      []received
	replies  []error       // consumed one per DATA; when empty, 250
	delay    time.Duration // how long DATA takes
	sessions int           // concurrent sessions now
	total    int           // sessions (connections) so far
	maxSess  int           // most concurrent sessions seen
	held     *hold         // the next DATA waits (holdData)
}

// hold is one DATA held by holdData.
type hold struct{ arrived, release chan struct{} }

// holdData makes the next DATA wait, once its message has come in, until
// release is called; arrived is closed then (both bounded by the test).
func (u *upstream) holdData(t *testing.T) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	u.mu.Lock()
	u.held = h
	u.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(release)
	return h.arrived, release
}

func startUpstream(t *testing.T) *upstream { return startUpstreamAt(t, "127.0.0.1:0") }

func startUpstreamAt(t *testing.T, addr string) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = smtp.NewServer(u)
	u.srv.Domain = "upstream.test"
	u.srv.EnableDSN = true
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	u.addr = ln.Addr().String()
	go func() { _ = u.srv.Serve(ln) }()
	t.Cleanup(func() { u.srv.Close() })
	return u
}

// answer queues replies for the next DATA commands.
func (u *upstream) answer(errs ...error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.replies = append(u.replies, errs...)
}

func (u *upstream) messages() []received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]received(nil), u.got...)
}

func (u *upstream) maxSessions() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.maxSess
}

func greylist() error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "greylisted, try again later"}
}

func reject() error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
}

// NewSession implements smtp.Backend.
func (u *upstream) NewSession(*smtp.Conn) (smtp.Session, error) {
	u.mu.Lock()
	u.sessions++
	u.total++
	u.maxSess = max(u.maxSess, u.sessions)
	u.mu.Unlock()
	return &upSession{u: u}, nil
}

type upSession struct {
	u    *upstream
	from string
	ret  string
	to   []string
	done bool
}

func (s *upSession) Reset() { s.from, s.ret, s.to = "", "", nil }
func (s *upSession) Mail(from string, o *smtp.MailOptions) error {
	s.from = from
	if o != nil {
		s.ret = string(o.Return)
	}
	return nil
}
func (s *upSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }

func (s *upSession) Logout() error {
	if !s.done {
		s.done = true
		s.u.mu.Lock()
		s.u.sessions--
		s.u.mu.Unlock()
	}
	return nil
}

func (s *upSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.u.mu.Lock()
	delay, h := s.u.delay, s.u.held
	s.u.held = nil
	s.u.mu.Unlock()
	if h != nil {
		close(h.arrived)
		<-h.release
	}
	time.Sleep(delay)
	s.u.mu.Lock()
	defer s.u.mu.Unlock()
	if len(s.u.replies) > 0 {
		reply := s.u.replies[0]
		s.u.replies = s.u.replies[1:]
		if reply != nil {
			var se *smtp.SMTPError
			if !errors.As(reply, &se) {
				panic("upstream replies must be *smtp.SMTPError")
			}
			return reply
		}
	}
	s.u.got = append(s.u.got, received{From: s.from, To: s.to, Data: data, Ret: s.ret})
	return nil
}
