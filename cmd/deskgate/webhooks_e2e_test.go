package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/webhooks"
)

// hookSink is a webhook receiver that verifies every signature and counts
// deliveries by webhook-id.
type hookSink struct {
	mu     sync.Mutex
	secret string
	ids    map[string]int
	bad    int
	srv    *http.Server
}

func startHookSink(t *testing.T, ln net.Listener, secret string) *hookSink {
	s := &hookSink{secret: secret, ids: map[string]int{}}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		id := r.Header.Get("webhook-id")
		s.mu.Lock()
		if webhooks.Verify(s.secret, id, ts, body, r.Header.Get("webhook-signature")) {
			s.ids[id]++
		} else {
			s.bad++
		}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

func (s *hookSink) counts() (distinct, total, bad int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.ids {
		total += n
	}
	return len(s.ids), total, s.bad
}

// createItems makes n items (n item.created events) with 8 clients.
func createItems(t *testing.T, p *proc, project uint64, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if st, v := p.api("POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": project, "title": fmt.Sprintf("item %d", i)}); st != 201 {
					errs <- fmt.Sprintf("item %d: %d %v", i, st, v)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e) // goroutine-safe: callers run several of these at once
	}
}

// waitHooks waits up to limit for want distinct deliveries.
func waitHooks(t *testing.T, s *hookSink, want int, limit time.Duration, logs ...*proc) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if d, _, _ := s.counts(); d >= want {
			return
		}
	}
	d, total, bad := s.counts()
	for _, p := range logs {
		t.Log(p.logs)
	}
	t.Fatalf("%d of %d events delivered (%d requests, %d bad signatures) after %v", d, want, total, bad, limit)
}

// 500 events whose receiver is down, then kill -9: after a restart every
// one is delivered, signed (SPEC §14: a durable outbox).
func TestWebhooksSurviveKill9(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the receiver is down until the restart
	dir := t.TempDir()
	p := startServe(t, dir, "DESKGATE_WEBHOOK_ALLOW_PRIVATE=true")
	hook := p.must(201, "POST", "/api/v1/webhooks", "e2e-admin", map[string]any{"url": "http://" + addr + "/hook", "events": []string{"item.created"}})
	proj := idOf(t, p.must(201, "POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Load"}))
	const n = 500
	createItems(t, p, proj, n)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exitC

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the receiver's port was taken meanwhile: %v", err)
	}
	sink := startHookSink(t, ln, hook["secret"].(string))
	p2 := startServe(t, dir, "DESKGATE_WEBHOOK_ALLOW_PRIVATE=true")
	// Attempts that failed before the kill are retried 5 s, then 30 s later.
	waitHooks(t, sink, n, 180*time.Second, p2)
	if _, _, bad := sink.counts(); bad != 0 {
		t.Fatalf("%d deliveries with a bad signature", bad)
	}
}

// Two nodes on one PostgreSQL database send each event once.
func TestWebhooksTwoNodesDeliverEachOnce(t *testing.T) {
	url := pgtest.NewSchema(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := func(name string) []string {
		return []string{"DESKGATE_DATABASE_URL=" + url, "DESKGATE_NODE_NAME=" + name, "DESKGATE_WEBHOOK_ALLOW_PRIVATE=true"}
	}
	a := startServe(t, t.TempDir(), env("node-a")...)
	b := startServe(t, t.TempDir(), env("node-b")...)
	hook := a.must(201, "POST", "/api/v1/webhooks", "e2e-admin", map[string]any{"url": "http://" + ln.Addr().String() + "/hook", "events": []string{"item.created"}})
	sink := startHookSink(t, ln, hook["secret"].(string))
	proj := idOf(t, a.must(201, "POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Both"}))
	const perNode = 100
	var wg sync.WaitGroup
	for _, p := range []*proc{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); createItems(t, p, proj, perNode) }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitHooks(t, sink, 2*perNode, 180*time.Second, a, b)
	time.Sleep(2 * time.Second) // a second copy would come now
	distinct, total, bad := sink.counts()
	if distinct != 2*perNode || total != distinct || bad != 0 {
		t.Fatalf("%d events, %d requests, %d bad signatures: want each of %d once", distinct, total, bad, 2*perNode)
	}
}
