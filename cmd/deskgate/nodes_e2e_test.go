package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	gosmtp "github.com/emersion/go-smtp"
)

// sink is an upstream SMTP server that counts what it accepted by
// Message-ID. While stall is set it holds each session at RCPT, so a
// node killed then has delivery attempts in flight that never reached DATA.
type sink struct {
	mu    sync.Mutex
	got   map[string]int // Message-ID -> times accepted
	stall chan struct{}  // closed: no more stalling
}

func startSink(t *testing.T) (*sink, string) {
	t.Helper()
	s := &sink{got: map[string]int{}, stall: make(chan struct{})}
	srv := gosmtp.NewServer(s)
	srv.Domain = "sink.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { s.release(); srv.Close() })
	return s, ln.Addr().String()
}

func (s *sink) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.stall:
	default:
		close(s.stall)
	}
}

func (s *sink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

func (s *sink) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *sink }

func (x *sinkSession) Reset()                                 {}
func (x *sinkSession) Logout() error                          { return nil }
func (x *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error {
	select {
	case <-x.s.stall:
	case <-time.After(20 * time.Second):
	}
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	id := strings.Trim(m.Header.Get("Message-Id"), "<>")
	x.s.mu.Lock()
	x.s.got[id]++
	x.s.mu.Unlock()
	return nil
}

// sseIDs follows GET /me/events on p with token and collects the message
// ids of the notification events, until ctx ends.
func sseIDs(ctx context.Context, t *testing.T, p *proc, token string) (func() map[uint64]bool, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", p.http+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		return nil, fmt.Errorf("events: %s", res.Status)
	}
	var mu sync.Mutex
	ids := map[uint64]bool{}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				if id, err := strconv.ParseUint(v, 10, 64); err == nil {
					mu.Lock()
					ids[id] = true
					mu.Unlock()
				}
			}
		}
	}()
	return func() map[uint64]bool {
		mu.Lock()
		defer mu.Unlock()
		out := map[uint64]bool{}
		for k := range ids {
			out[k] = true
		}
		return out
	}, nil
}

// Two nodes on one PostgreSQL database are one installation (SPEC §8):
// mail to both, posts through both, event streams on both see every
// node's messages; one node killed with kill -9 while timers are pending
// and delivery attempts are in flight leaves nothing behind: the other
// fires the timers and sends every email, each exactly once.
func TestTwoNodesOnePostgres(t *testing.T) {
	url := pgtest.NewSchema(t)
	snk, sinkAddr := startSink(t)
	env := func(name string) []string {
		return []string{"DESKGATE_DATABASE_URL=" + url, "DESKGATE_NODE_NAME=" + name, "DESKGATE_NODE_LEASE=2s",
			"DESKGATE_UNSEEN_DELAY=2s", "DESKGATE_SMARTHOST=" + sinkAddr, "DESKGATE_FLOOD_LIMIT=0"}
	}
	a := startServe(t, t.TempDir(), env("node-a")...)
	b := startServe(t, t.TempDir(), env("node-b")...)
	for _, p := range []*proc{a, b} {
		res, err := http.Get(p.http + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `"store":"postgres"`) || !strings.Contains(string(body), `"node":"node-`) {
			t.Fatalf("healthz %s", body)
		}
	}

	// Mail to both nodes: each mail from carol starts a conversation.
	const perNode = 4
	for i := range perNode {
		for _, p := range []*proc{a, b} {
			if err := sendMail(p.smtp, "carol@customer.example", fmt.Sprintf("m%d.%s@customer.example", i, p.smtp), "Help "+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, convs := b.apiList("GET", "/api/v1/conversations", "e2e-admin")
	if len(convs) != 2*perNode {
		t.Fatalf("%d conversations, want %d", len(convs), 2*perNode)
	}
	// Carol follows her notifications on both nodes.
	cust := convs[0]["customer_ids"].([]any)[0]
	st, tok := b.api("POST", fmt.Sprintf("/api/v1/customers/%v/tokens", cust), "e2e-admin", nil)
	if st != 201 {
		t.Fatalf("customer token: %d %v", st, tok)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seenA, err := sseIDs(ctx, t, a, tok["token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	seenB, err := sseIDs(ctx, t, b, tok["token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	post := func(p *proc, conv any) uint64 {
		st, r := p.api("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", conv), "e2e-admin", map[string]string{"body": "On it."})
		if st != 201 {
			t.Fatalf("post through %s: %d %v", p.http, st, r)
		}
		return uint64(r["id"].(float64))
	}
	// Posts through both nodes by the admin, in half of carol's
	// conversations.
	var msgs []uint64
	for i, c := range convs[:perNode] {
		msgs = append(msgs, post([]*proc{a, b}[i%2], c["id"]))
	}
	// Carol's streams, on either node, show every post, whichever node
	// took it.
	deadline := time.Now().Add(30 * time.Second)
	missing := func(seen func() map[uint64]bool) []uint64 {
		var out []uint64
		got := seen()
		for _, id := range msgs {
			if !got[id] {
				out = append(out, id)
			}
		}
		return out
	}
	for (len(missing(seenA)) > 0 || len(missing(seenB)) > 0) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if m := missing(seenA); len(m) > 0 {
		t.Errorf("node a's event stream missed messages %v of %v", m, msgs)
	}
	if m := missing(seenB); len(m) > 0 {
		t.Errorf("node b's event stream missed messages %v of %v", m, msgs)
	}

	// Node b pauses (SIGSTOP) while the timers fall due, 2 s after the
	// posts: node a fires them and its attempts hang at RCPT in the sink.
	// Posts through a in the other conversations start timers that are
	// still pending when node a is killed without warning.
	if err := b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond)
	for _, c := range convs[perNode:] {
		post(a, c["id"])
	}
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exitC
	if err := b.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	snk.release()

	// Node b sends everything (node a's claims expire within the 2 s lease).
	pg, err := pgstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var pending, timers, sent, final int
	var ids []string
	var entries []store.MailLogEntry
	deadline = time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		err := pg.View(context.Background(), func(tx store.Tx) error {
			var err error
			if pending, err = tx.OutboundPending(); err != nil {
				return err
			}
			if timers, err = tx.TimerCount(); err != nil {
				return err
			}
			log, err := tx.ListMailLog(store.MailLogQuery{Direction: store.DirOutbound, Limit: 1000})
			ids, sent, final, entries = ids[:0], 0, 0, log
			for _, e := range log {
				switch e.Status {
				case store.EmailSent:
					ids = append(ids, e.MessageID)
					sent++
					final++
				case store.OutboundCancelled: // seen in the app first: never sent
					final++
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && timers == 0 && final == len(entries) && sent > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// How many emails did node a have in flight when it died (an attempt
	// that never finished, then node b's)?
	retaken := 0
	_ = pg.View(context.Background(), func(tx store.Tx) error {
		for id := uint64(1); id <= uint64(len(entries)); id++ {
			if o, err := tx.Outbound(id); err == nil && o.Attempts > 1 {
				retaken++
			}
		}
		return nil
	})
	t.Logf("%d emails taken over from the killed node", retaken)
	if retaken == 0 {
		t.Error("node a had no attempt in flight when it died: the takeover was not exercised")
	}
	got := snk.counts()
	t.Logf("%d emails queued, %d sent, %d pending, %d timers; the sink got %d", len(entries), sent, pending, timers, len(got))
	if pending != 0 || timers != 0 || final != len(entries) {
		for _, e := range entries {
			t.Logf("mail log %d %s <%s> to %s: %s %s", e.ID, e.Direction, e.MessageID, e.To, e.Status, e.Detail)
		}
		t.Fatalf("work left behind: %d pending emails, %d timers, %d of %d final\nnode b:\n%s", pending, timers, final, len(entries), b.logs)
	}

	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("email <%s> accepted by the upstream %d times, want once", id, got[id])
		}
	}
	if len(got) != len(ids) {
		t.Errorf("the upstream got %d distinct emails, the queue sent %d", len(got), len(ids))
	}
	// Every post's email reached carol.
	if toCarol := strings.Count(fmt.Sprint(entries), "carol@customer.example"); toCarol < 2*perNode {
		t.Errorf("%d emails to carol, want one per conversation (%d)", toCarol, 2*perNode)
	}
	if !strings.Contains(a.logs.String(), "outbound attempt") && !strings.Contains(b.logs.String(), "outbound attempt") {
		t.Log("no attempt logged")
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
}
