package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
)

// Backend is what the SMTP server needs of the domain (*bridge.Service).
type Backend interface {
	// CheckRecipient decides one RCPT TO: nil or a *mailerr.Error.
	CheckRecipient(ctx context.Context, addr string) error
	// Receive stores a message and returns after the commit.
	Receive(ctx context.Context, env bridge.Envelope, raw []byte) (bridge.Receipt, error)
	// LogRejection records a refusal in the mail log.
	LogRejection(ctx context.Context, env bridge.Envelope, detail string)
}

// Defaults of Options.
const (
	DefaultMaxRecipients = 100
	DefaultReadTimeout   = 5 * time.Minute // RFC 5321 §4.5.3.2.7 server timeout
	DefaultWriteTimeout  = time.Minute
)

// Options configure the server. Zero values take the defaults.
type Options struct {
	Hostname        string // greeting and Received "by"
	MaxMessageBytes int64  // SIZE limit; 0 = none
	MaxRecipients   int    // per message; beyond: 452 4.5.3
	// MaxErrors is how many refused commands a connection may have before
	// it is answered 421 4.7.0 and closed (errlimit.go).
	MaxErrors    int
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	TLSConfig    *tls.Config // non-nil offers STARTTLS
	// MaxConnections and MaxConnectionsPerIP cap open connections; more
	// are answered 421 4.7.0 and closed.
	MaxConnections      int
	MaxConnectionsPerIP int
	Registry            prometheus.Registerer
	Log                 *slog.Logger
}

// Server is the inbound SMTP server.
type Server struct {
	be   Backend
	opts Options
	srv  *smtp.Server
	m    *metrics
	log  *slog.Logger
	// mu is read-held while a DATA is being stored; Shutdown takes it to
	// wait for them, then sets closed.
	mu     sync.RWMutex
	closed bool
	ln     net.Listener // the listener of Serve, closed by Shutdown
	// widenWarn warns once when the size-limit fix cannot apply (sizelimit.go).
	widenWarn sync.Once
	// replyWarn warns once when the reply texts cannot be made plain (replytext.go).
	replyWarn sync.Once
	ctx       context.Context
	cancel    context.CancelFunc
}

// New builds a server over be.
func New(be Backend, opts Options) *Server {
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = DefaultMaxRecipients
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultReadTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = DefaultMaxConnections
	}
	if opts.MaxConnectionsPerIP <= 0 {
		opts.MaxConnectionsPerIP = DefaultMaxConnectionsPerIP
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	s := &Server{be: be, opts: opts, m: newMetrics(opts.Registry), log: opts.Log}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = opts.Hostname
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxRecipients = opts.MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = opts.ReadTimeout, opts.WriteTimeout
	srv.EnableSMTPUTF8 = true
	srv.MaxLineLength = MaxLineLength
	srv.TLSConfig = opts.TLSConfig
	srv.ErrorLog = slogPrinter{opts.Log}
	s.srv = srv
	return s
}

// Serve accepts connections on ln until Shutdown. A Serve that starts
// after Shutdown (a stop right after start) returns at once: go-smtp only
// closes the listeners it already knows, so it would accept forever.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	refused := s.m.rejected.WithLabelValues("too_many_connections")
	err := s.srv.Serve(newLimitListener(ln, s.opts.MaxConnections, s.opts.MaxConnectionsPerIP, refused.Inc))
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, lets sessions finish until ctx ends, then
// closes the rest, and waits for every message being stored: after it
// returns the store may be closed.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	s.mu.Lock()
	s.closed = true
	ln := s.ln
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close() // in case Serve registered it with go-smtp after its Shutdown
	}
	s.cancel()
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("smtp shutdown: %w", err)
	}
	return nil
}

// slogPrinter adapts slog to go-smtp's Logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp", "msg", fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("smtp", "msg", fmt.Sprint(v...)) }
