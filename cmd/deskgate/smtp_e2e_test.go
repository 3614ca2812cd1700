package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sendMail delivers one message over a fresh SMTP session; nil means 250.
func sendMail(addr, from, id, subject string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("e2e.example"); err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt("support@support.test"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: %s\r\nTo: support@support.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\nbody of %s\r\n%s\r\n",
		from, subject, id, id, strings.Repeat("padding line of a 2 KB message ...........................\r\n", 30))
	if err := w.Close(); err != nil {
		return err
	}
	_ = c.Quit()
	return nil
}

// maillog pages through GET /api/v1/maillog and counts entries per Message-ID.
func (p *proc) maillogByMessageID(token string) map[string][]map[string]any {
	p.t.Helper()
	out := map[string][]map[string]any{}
	before := uint64(0)
	for range 1000 {
		path := "/api/v1/maillog?direction=inbound&limit=500"
		if before != 0 {
			path += fmt.Sprintf("&before=%d", before)
		}
		st, page := p.apiList("GET", path, token)
		if st != 200 {
			p.t.Fatalf("maillog: %d", st)
		}
		if len(page) == 0 {
			return out
		}
		for _, e := range page {
			id, _ := e["email_message_id"].(string)
			out[id] = append(out[id], e)
			before = uint64(e["id"].(float64))
		}
	}
	return out
}

// Every message answered 250 survives kill -9 and is stored exactly once.
func TestSMTPKill9Durability(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	data := t.TempDir()
	p := startServe(t, data, "DESKGATE_FLOOD_LIMIT=0")
	var mu sync.Mutex
	acked := map[string]bool{}
	var n atomic.Int64
	killAt := int64(150)
	killed := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				id := fmt.Sprintf("k9-%d-%d@e2e.example", g, i)
				err := sendMail(p.smtp, fmt.Sprintf("sender%d@e2e.example", g), id, "kill test "+id)
				if err != nil {
					select {
					case <-killed:
						return // the server is gone
					default:
						t.Errorf("send %s before the kill: %v", id, err)
						return
					}
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				if n.Add(1) == killAt {
					close(killed)
					_ = p.cmd.Process.Kill() // SIGKILL mid-traffic
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatal("the traffic ended before the kill")
	}
	select {
	case <-p.exitC:
	case <-time.After(30 * time.Second):
		t.Fatal("killed process did not exit")
	}
	p2 := startServe(t, data, "DESKGATE_BOOTSTRAP_TOKEN=", "DESKGATE_FLOOD_LIMIT=0")
	logged := p2.maillogByMessageID("e2e-admin")
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < int(killAt) {
		t.Fatalf("only %d messages acknowledged", len(acked))
	}
	for id := range acked {
		es := logged[id]
		if len(es) != 1 {
			t.Errorf("250'd message %s is in the mail log %d times", id, len(es))
			continue
		}
		if es[0]["status"] != "created" || es[0]["message_id"].(float64) == 0 {
			t.Errorf("250'd message %s: %v", id, es[0])
		}
	}
	for id, es := range logged {
		if len(es) > 1 {
			t.Errorf("message %s processed %d times", id, len(es))
		}
	}
	t.Logf("%d acknowledged before/around kill -9, %d in the store after restart", len(acked), len(logged))
	if err := p2.stop(); err != nil {
		t.Fatal(err)
	}
}

// apiList is api for endpoints answering a JSON array.
func (p *proc) apiList(method, path, token string) (int, []map[string]any) {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.http+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	var v []map[string]any
	_ = json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}
