package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/emersion/go-imap/v2"
)

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill -9 of deskgate during a burst of 200 messages appended to a
// connected mailbox, then a restart: every message is in the mail log
// and a conversation exactly once, and each ends up flagged \Seen (the
// `after` of messages stored just before the kill runs at the restart).
func TestIMAPKill9DuringBurstLosesAndDoublesNone(t *testing.T) {
	dc := dovecottest.Start(t, dovecottest.Options{})
	data := t.TempDir()
	p := startServe(t, data)
	code, mb := p.api("POST", "/api/v1/mailboxes", "e2e-admin", map[string]any{"host": "127.0.0.1", "port": dc.Port, "tls": "none",
		"username": dovecottest.User, "password": dovecottest.Password})
	if code != 201 {
		t.Fatalf("POST /mailboxes: %d %v", code, mb)
	}
	waitUntil(t, "mailbox idle", 60*time.Second, func() bool {
		l := p.getList("/api/v1/mailboxes", "e2e-admin")
		return len(l) == 1 && l[0]["status"].(map[string]any)["state"] == "idle"
	})
	const n = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := dc.Client()
		defer c.Close()
		for i := range n {
			raw := dovecottest.Message(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Burst %d", i), fmt.Sprintf("burst-%d@example.com", i), "hello")
			if err := dovecottest.AppendWith(c, "INBOX", raw); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	imported := func(p *proc) int {
		return len(p.getList("/api/v1/maillog?direction=inbound&limit=500", "e2e-admin"))
	}
	waitUntil(t, "part of the burst imported", 120*time.Second, func() bool { return imported(p) >= 20 })
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL mid-burst
		t.Fatal(err)
	}
	<-p.exitC
	wg.Wait()
	p = startServe(t, data)
	if before := imported(p); before >= n {
		t.Logf("all %d were imported before the kill: the crash did not land mid-burst", n)
	} else {
		t.Logf("%d of %d imported when the restarted process first answered", before, n)
	}
	waitUntil(t, "the whole burst imported after the restart", 180*time.Second, func() bool { return imported(p) >= n })
	time.Sleep(time.Second) // a late double would show now
	log := p.getList("/api/v1/maillog?direction=inbound&limit=500", "e2e-admin")
	ids, convs := map[string]bool{}, map[float64]bool{}
	for _, e := range log {
		id := e["email_message_id"].(string)
		if ids[id] || e["status"] != "created" || e["source"] != "imap" {
			t.Fatalf("entry %v: doubled, or not a created conversation from imap", e)
		}
		ids[id] = true
		convs[e["conversation_id"].(float64)] = true
	}
	if len(ids) != n || len(convs) != n {
		t.Fatalf("%d distinct messages in %d conversations, want %d", len(ids), len(convs), n)
	}
	res, err := http.Get(p.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), "deskgate_imap_mailboxes_held 1") || !strings.Contains(string(metrics), `deskgate_imap_messages_total{result="stored"}`) {
		t.Errorf("metrics lack the IMAP fetcher's:\n%s", metrics)
	}
	waitUntil(t, "every message flagged \\Seen", 60*time.Second, func() bool {
		flags := dc.Flags("INBOX")
		for _, f := range flags {
			if !slices.Contains(f, imap.FlagSeen) {
				return false
			}
		}
		return len(flags) == n
	})
}
