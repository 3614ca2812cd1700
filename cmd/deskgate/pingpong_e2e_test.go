package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/dnstest"
	gosmtp "github.com/emersion/go-smtp"
)

// responder is the smarthost of the ping-pong test and the worst mail
// peer there is: every email it gets is answered at once, from the address
// it was sent to, to its Reply-To, with a plain human-looking text and no
// Auto-Submitted or any other header a loop guard could go by. It stops by
// itself after maxAnswers so the test is bounded whatever deskgate does.
type responder struct {
	mu       sync.Mutex
	mx       string // deskgate's SMTP address, set once it runs
	received []string
	answered int
	last     time.Time
	errs     []string // what deskgate answered when it refused an answer
	sending  int      // answers on their way to deskgate now
	wg       sync.WaitGroup
}

const maxAnswers = 200

func startResponder(t *testing.T) (*responder, string) {
	t.Helper()
	r := &responder{}
	srv := gosmtp.NewServer(r)
	srv.Domain = "responder.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); r.wg.Wait() })
	return r, ln.Addr().String()
}

func (r *responder) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &responderSession{r: r}, nil
}

type responderSession struct{ r *responder }

func (s *responderSession) Reset()                                 {}
func (s *responderSession) Logout() error                          { return nil }
func (s *responderSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *responderSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }

func (s *responderSession) Data(body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	to, err1 := mail.ParseAddress(m.Header.Get("To"))
	replyTo, err2 := mail.ParseAddress(m.Header.Get("Reply-To"))
	if err1 != nil || err2 != nil {
		return fmt.Errorf("unaddressable email: %v %v", err1, err2)
	}
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	r.received = append(r.received, to.Address)
	r.last = time.Now()
	if r.answered >= maxAnswers || r.mx == "" {
		return nil
	}
	r.answered++
	n := r.answered
	answer := "From: <" + to.Address + ">\r\nTo: <" + replyTo.Address + ">\r\nSubject: Re: " + m.Header.Get("Subject") +
		"\r\nMessage-ID: <pong" + fmt.Sprint(n) + "@responder.test>\r\nIn-Reply-To: " + m.Header.Get("Message-Id") +
		"\r\n\r\nThank you for your message, I will read it soon.\r\n"
	r.wg.Add(1)
	r.sending++
	go func(mx string) {
		defer r.wg.Done()
		// Errors are fine here: a refusal is one way to stop the loop.
		err := smtp.SendMail(mx, nil, to.Address, []string{replyTo.Address}, []byte(answer))
		r.mu.Lock()
		defer r.mu.Unlock()
		r.sending--
		if err != nil {
			r.errs = append(r.errs, err.Error())
		}
	}(r.mx)
	return nil
}

func (r *responder) counts() (received map[string]int, total int, last time.Time) {
	received, total, last, _ = r.state()
	return received, total, last
}

func (r *responder) state() (received map[string]int, total int, last time.Time, sending int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	received = map[string]int{}
	for _, a := range r.received {
		received[a]++
	}
	return received, len(r.received), r.last, r.sending
}

// waitQuiet waits until the exchange has stopped, and fails if that does
// not happen within limit. Stopped: between two looks at the responder
// that saw nothing new and no answer on its way to deskgate, deskgate had
// no email queued and no unseen timer running (every step of the loop
// shows in one of these: an answer is stored with its pending deliveries
// in one commit, a timer queues its email in one commit, the queue marks
// it sent only after the responder took it). quiet more seconds without
// an email are a margin on top.
func (r *responder) waitQuiet(t *testing.T, p *proc, quiet, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		_, total, last, sending := r.state()
		// Pending deliveries before the queue: a timer turns a pending
		// delivery into a queued email in one commit, so looking in this
		// order cannot miss an email on its way (the other order can).
		if total == 0 || sending > 0 || time.Since(last) < quiet || anyDelivery(p, func(d map[string]any) bool { return d["email_status"] == "pending" }) || !queueEmpty(t, p) {
			continue
		}
		if _, total2, _, sending2 := r.state(); total2 == total && sending2 == 0 {
			return
		}
	}
	_, total, _ := r.counts()
	t.Fatalf("the exchange did not stop within %s (%d emails)", limit, total)
}

// pingPongSetup: an agent follows an external conversation with a
// customer and writes in it; both addresses are answered by the responder.
func pingPongSetup(t *testing.T, p *proc) {
	t.Helper()
	st, agent := p.api("POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agent@staff.example", "name": "Agent", "role": "agent"})
	if st != 201 {
		t.Fatalf("agent: %d %v", st, agent)
	}
	_, tok := p.api("POST", fmt.Sprintf("/api/v1/users/%v/tokens", agent["id"]), "e2e-admin", nil)
	_, cust := p.api("POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "carol@customer.example", "name": "Carol"})
	_, proj := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"})
	_, item := p.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj["id"], "title": "Printer"})
	_, conv := p.api("POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item["id"], "kind": "external", "subject": "Printer", "customer_ids": []any{cust["id"]}})
	if st, r := p.api("POST", fmt.Sprintf("/api/v1/conversations/%v/followers", conv["id"]), "e2e-admin", map[string]any{"user_id": agent["id"]}); st != 204 {
		t.Fatalf("follow: %d %v", st, r)
	}
	if st, r := p.api("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", conv["id"]), tok["token"].(string), map[string]string{"body": "Is it still on fire?"}); st != 201 {
		t.Fatalf("message: %d %v", st, r)
	}
}

// A customer's and an agent's auto-responders that ignore every header
// answer each other through deskgate. The exchange must stop by itself:
// with the flood limit by the inbound sender limit, without it by the
// outbound cap (20 emails per address and conversation per hour).
func TestPingPongWithAutoRespondersStaysBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		env        []string
		perAddress int // the most emails either address may get
		why        string
	}{
		{"flood limit", []string{"DESKGATE_FLOOD_LIMIT=3", "DESKGATE_FLOOD_WINDOW=10m"}, 4, "flood"},
		{"outbound cap only", []string{"DESKGATE_FLOOD_LIMIT=0"}, 20, "outbound cap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, addr := startResponder(t)
			// The agent's auto-responder answers from 127.0.0.1, which
			// staff.example's SPF authorises: it is trusted as the agent
			// (SPEC §12), so the exchange really runs both ways.
			dns := dnstest.Start(t)
			dns.Add(t, `staff.example. 300 IN TXT "v=spf1 ip4:127.0.0.1 -all"`, `_dmarc.staff.example. 300 IN TXT "v=DMARC1; p=none"`)
			env := append([]string{"DESKGATE_UNSEEN_DELAY=0s", "DESKGATE_SMARTHOST=" + addr, "DESKGATE_DNS=" + dns.Addr}, tc.env...)
			p := startServe(t, t.TempDir(), env...)
			resp.mu.Lock()
			resp.mx = p.smtp
			resp.mu.Unlock()
			pingPongSetup(t, p)
			resp.waitQuiet(t, p, time.Second, 3*time.Minute)
			got, total, _ := resp.counts()
			t.Logf("emails sent before the exchange stopped: %v (%d)", got, total)
			// The loop really ran (each side answered at least twice) and
			// stopped within the bound.
			for _, a := range []string{"carol@customer.example", "agent@staff.example"} {
				if got[a] < 2 || got[a] > tc.perAddress {
					t.Errorf("%s got %d emails, want 2..%d (all: %v, %d in total)", a, got[a], tc.perAddress, got, total)
				}
			}
			if t.Failed() {
				resp.mu.Lock()
				t.Logf("refused answers: %q", resp.errs)
				resp.mu.Unlock()
				for _, e := range p.getList("/api/v1/maillog?limit=50", "e2e-admin") {
					t.Logf("mail log: %v %v %v → %v: %v", e["direction"], e["status"], e["from"], e["to"], e["detail"])
				}
			}
			var sawWhy bool
			for _, dir := range []string{"inbound", "outbound"} {
				for _, e := range p.getList("/api/v1/maillog?direction="+dir+"&limit=500", "e2e-admin") {
					sawWhy = sawWhy || strings.Contains(fmt.Sprint(e["detail"]), tc.why)
				}
			}
			if !sawWhy && !deliveriesSay(p, tc.why) {
				t.Errorf("nothing in the mail log or deliveries says %q stopped the exchange", tc.why)
			}
			if err := p.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// deliveriesSay reports whether any delivery of any message of any
// conversation has a detail containing s (the outbound cap is recorded on
// the skipped deliveries, not in the mail log, since no email is made).
func deliveriesSay(p *proc, s string) bool {
	return anyDelivery(p, func(d map[string]any) bool { return strings.Contains(fmt.Sprint(d["detail"]), s) })
}

// anyDelivery reports whether any delivery of any message of any
// conversation satisfies match.
func anyDelivery(p *proc, match func(map[string]any) bool) bool {
	for _, c := range p.getList("/api/v1/conversations", "e2e-admin") {
		for _, m := range p.getList(fmt.Sprintf("/api/v1/conversations/%v/messages", c["id"]), "e2e-admin") {
			for _, d := range p.getList(fmt.Sprintf("/api/v1/messages/%v/deliveries", m["id"]), "e2e-admin") {
				if match(d) {
					return true
				}
			}
		}
	}
	return false
}

// queueEmpty reports whether deskgate's outbound queue holds no pending email.
func queueEmpty(t *testing.T, p *proc) bool {
	t.Helper()
	res, err := http.Get(p.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	metrics, _ := io.ReadAll(res.Body)
	return regexp.MustCompile(`(?m)^deskgate_outbound_queue_depth 0$`).Match(metrics)
}
