package smtpd_test

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/smtpd"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

// harness is the real SMTP server over the real domain and a real bbolt
// file, listening on 127.0.0.1.
type harness struct {
	t       testing.TB
	st      store.Store
	svc     *bridge.Service
	srv     *smtpd.Server
	addr    string
	reg     *prometheus.Registry
	bouncer *recordingBouncer
	clock   *clocktest.Clock
	tls     *tls.Config     // client side, when the server offers STARTTLS
	dns     *dnstest.Server // the DNS the sender checks ask (nil: checks off)
}

type harnessOpts struct {
	maxBytes int64
	timeout  time.Duration // read/write timeout; 0 = 30 s
	perIP    int           // connections per IP; 0 = default
	inbound  bridge.InboundConfig
	tls      bool
	noAuth   bool          // sender checks off
	dnsWait  time.Duration // resolver timeout; 0 = 5 s
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	st := storetest.Open(t, t.TempDir())
	clock := clocktest.New(time.Now().UTC())
	svc := bridge.New(st, bridge.Config{
		Domains: []string{"support.test", "help.test"}, Hostname: "mx.support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("smtpd test key, 32 bytes long..."),
	}, clock, slog.New(slog.DiscardHandler))
	h := &harness{t: t, st: st, svc: svc, clock: clock, reg: prometheus.NewRegistry()}
	if !o.noAuth && o.inbound.Auth == nil {
		// A real DNS server on loopback; staff.example lets the test
		// client's usual address (127.0.0.1) send, with DMARC p=none.
		h.dns = dnstest.Start(t)
		h.dns.Add(t, `staff.example. 300 IN TXT "v=spf1 ip4:127.0.0.1 -all"`, `_dmarc.staff.example. 300 IN TXT "v=DMARC1; p=none"`)
		res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: h.dns.Addr, Timeout: cmp.Or(o.dnsWait, 5*time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		o.inbound.Auth = senderauth.New(res, senderauth.Options{ARCTrusted: []string{"list.test"}})
	}
	svc.Inbound.SetInbound(o.inbound)
	b := &recordingBouncer{}
	svc.SetBouncer(b)
	h.bouncer = b
	if o.timeout == 0 {
		o.timeout = 30 * time.Second
	}
	opts := smtpd.Options{Hostname: "mx.support.test", MaxMessageBytes: o.maxBytes, Registry: h.reg,
		Log: slog.New(slog.DiscardHandler), ReadTimeout: o.timeout, WriteTimeout: o.timeout, MaxConnectionsPerIP: o.perIP}
	if o.tls {
		var serverCfg *tls.Config
		serverCfg, h.tls = selfSignedTLS(t)
		opts.TLSConfig = serverCfg
	}
	h.srv = smtpd.New(svc.Inbound, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { _ = h.srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.srv.Shutdown(ctx)
		<-done
		_ = st.Close()
	})
	return h
}

// recordingBouncer is the Bouncer seam (the outbound queue implements it
// for real); it records what the domain asked.
type recordingBouncer struct {
	mu    sync.Mutex
	calls []bounceCall
}

type bounceCall struct {
	ref            bridge.BounceRef
	status, detail string
}

func (b *recordingBouncer) Bounced(tx bridge.BounceTx, ref bridge.BounceRef, status, detail string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, bounceCall{ref, status, detail})
	_, err := tx.Outbound(ref.EmailID)
	return err == nil, nil
}

func (b *recordingBouncer) Calls() []bounceCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bounceCall(nil), b.calls...)
}

// client opens an SMTP session (EHLO done).
func (h *harness) client() *smtp.Client {
	h.t.Helper()
	c, err := smtp.Dial(h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := c.Hello("client.example"); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = c.Close() })
	return c
}

// send delivers raw from envelope sender from to rcpts in one
// transaction; it returns the first refusal as "550 5.1.1 ..." or "".
func (h *harness) send(from string, rcpts []string, raw string) string {
	h.t.Helper()
	c := h.client()
	defer c.Quit()
	return transact(h.t, c, from, rcpts, raw)
}

// sendFrom is send from the client address ip (any of 127.0.0.0/8) after
// EHLO helo: what SPF sees.
func (h *harness) sendFrom(ip, helo, from string, rcpts []string, raw string) string {
	h.t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, "mx.support.test")
	if err != nil {
		h.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		h.t.Fatal(err)
	}
	defer c.Quit()
	return transact(h.t, c, from, rcpts, raw)
}

func transact(t testing.TB, c *smtp.Client, from string, rcpts []string, raw string) string {
	t.Helper()
	if err := c.Mail(from); err != nil {
		return replyOf(t, err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return replyOf(t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return replyOf(t, err)
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return "write: " + err.Error()
	}
	if err := w.Close(); err != nil {
		return replyOf(t, err)
	}
	return ""
}

// replyOf renders an SMTP error reply as "CODE TEXT".
func replyOf(t testing.TB, err error) string {
	t.Helper()
	var te *textproto.Error
	if errors.As(err, &te) {
		return strings.TrimSpace(strconv.Itoa(te.Code) + " " + te.Msg)
	}
	t.Fatalf("not an SMTP reply: %v", err)
	return ""
}

// wantReply fails unless got starts with want ("" = accepted).
func wantReply(t testing.TB, what, got, want string) {
	t.Helper()
	if (want == "" && got != "") || (want != "" && !strings.HasPrefix(got, want)) {
		t.Fatalf("%s: reply %q, want %q", what, got, want)
	}
}

// log returns the inbound mail log, oldest first.
func (h *harness) log() []store.MailLogEntry {
	h.t.Helper()
	var es []store.MailLogEntry
	if err := h.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		es, err = tx.ListMailLog(store.MailLogQuery{Direction: store.DirInbound, Limit: 1000})
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// last returns the newest inbound mail log entry.
func (h *harness) last() store.MailLogEntry {
	h.t.Helper()
	es := h.log()
	if len(es) == 0 {
		h.t.Fatal("mail log is empty")
	}
	return es[len(es)-1]
}

// messages returns conversation conv's messages.
func (h *harness) messages(conv uint64) []store.Message {
	h.t.Helper()
	var ms []store.Message
	if err := h.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		ms, err = tx.Messages(conv)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return ms
}

func (h *harness) conversation(id uint64) *store.Conversation {
	h.t.Helper()
	var c *store.Conversation
	if err := h.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		c, err = tx.Conversation(id)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return c
}

// mustStatus fails unless the newest entry has status (and detail containing detail).
func (h *harness) mustStatus(status, detail string) store.MailLogEntry {
	h.t.Helper()
	e := h.last()
	if e.Status != status || !strings.Contains(e.Detail, detail) {
		h.t.Fatalf("mail log: status %q detail %q, want %q containing %q", e.Status, e.Detail, status, detail)
	}
	return e
}

// newConversation mails support@ from addr and returns the conversation.
func (h *harness) newConversation(addr, name, subject, msgID string) uint64 {
	h.t.Helper()
	raw := "From: " + name + " <" + addr + ">\nTo: support@support.test\nSubject: " + subject +
		"\nMessage-ID: <" + msgID + ">\n\nHello, my printer is on fire.\n"
	wantReply(h.t, "support@", h.send(addr, []string{"support@support.test"}, raw), "")
	e := h.mustStatus("created", "new conversation")
	return e.ConversationID
}

// raw returns the stored raw message of mail log entry id.
func (h *harness) raw(id uint64) []byte {
	h.t.Helper()
	var b []byte
	if err := h.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		b, err = tx.MailLogRaw(id)
		return err
	}); err != nil {
		h.t.Fatalf("raw of %d: %v", id, err)
	}
	return b
}

// metricValue reads counter name{reason=reason} ("" = unlabelled), or
// the sample count of histogram name.
func metricValue(t testing.TB, h *harness, name, reason string) int {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if reason == "" && m.Histogram != nil {
				return int(m.Histogram.GetSampleCount())
			}
			if reason == "" {
				return int(m.GetCounter().GetValue())
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return int(m.GetCounter().GetValue())
				}
			}
		}
	}
	return 0
}
