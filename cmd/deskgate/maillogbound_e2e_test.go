package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store/storetest"
)

// The mail log's space is bounded (DESKGATE_MAILLOG_MAX_BYTES): past it the
// oldest entries go, and deskgate_maillog_evicted_total counts them (before:
// the mail log grew with everything strangers sent, for the whole
// retention).
func TestServeBoundsTheMailLog(t *testing.T) {
	if storetest.Postgres() {
		// On PostgreSQL the pruning node bounds the log once a round
		// (a minute), not on every entry: storetest's MailLogEviction
		// checks the eviction itself there.
		t.Skip("bbolt: the bound on every new entry")
	}
	p := startServe(t, t.TempDir(), "DESKGATE_MAILLOG_MAX_BYTES=1048576")
	defer func() { _ = p.stop() }()
	const mails = 20
	body := strings.Repeat(strings.Repeat("z", 99)+"\r\n", 1000) // 100 KB
	for i := 0; i < mails; i++ {
		from := fmt.Sprintf("sender%d@example.org", i)
		msg := fmt.Sprintf("From: %s\r\nTo: support@support.test\r\nSubject: big %d\r\nMessage-ID: <big%d@example.org>\r\n\r\n%s", from, i, i, body)
		if err := smtp.SendMail(p.smtp, nil, from, []string{"support@support.test"}, []byte(msg)); err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
	}
	req, _ := http.NewRequest("GET", p.http+"/api/v1/maillog?direction=inbound&limit=500", nil)
	req.Header.Set("Authorization", "Bearer e2e-admin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var es []struct {
		Subject string `json:"subject"`
		Size    int    `json:"size"`
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(raw, &es); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	total := 0
	for _, e := range es {
		total += e.Size
	}
	if len(es) == 0 || len(es) >= mails || es[0].Subject != fmt.Sprintf("big %d", mails-1) || total > 1<<20 {
		t.Fatalf("%d entries kept of %d (%d raw bytes), newest %q", len(es), mails, total, es[0].Subject)
	}
	res, err = http.Get(p.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`(?m)^deskgate_maillog_evicted_total (\d+)`).FindSubmatch(metrics)
	if m == nil {
		t.Fatalf("no eviction metric:\n%s", metrics)
	}
	if n, _ := strconv.Atoi(string(m[1])); n != mails-len(es) {
		t.Fatalf("evictions counted %d, entries gone %d", n, mails-len(es))
	}
}
