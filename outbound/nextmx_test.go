package outbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/store"
)

// A 4xx from the preferred MX after the connection is up (at MAIL, RCPT
// or the end of DATA) moves the email on to the next MX host within the
// same attempt (RFC 5321 §5.1); a 5xx stops there. The MX hosts are real
// Postfix smtp-sinks on loopback addresses, found through the loopback DNS
// server: 127.0.0.3 accepts everything, the others refuse one command.
func TestNextMXOnTemporaryFailureAfterConnect(t *testing.T) {
	ips := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"}
	port := sharedPort(t, ips...)
	good := startSinkAt(t, "127.0.0.3:"+port)
	startSinkAt(t, "127.0.0.2:"+port, "-r", "mail") // 450 at MAIL FROM
	startSinkAt(t, "127.0.0.4:"+port, "-r", "rcpt") // 450 at RCPT TO
	startSinkAt(t, "127.0.0.5:"+port, "-r", ".")    // 450 at the end of DATA
	startSinkAt(t, "127.0.0.6:"+port, "-f", "rcpt") // 500 at RCPT TO
	startSinkAt(t, "127.0.0.7:"+port, "-Q", "mail") // 421 at MAIL FROM, then hangs up
	dns := dnstest.Start(t)
	dns.Add(t,
		"mx-good.test. 300 IN A 127.0.0.3",
		"mx-mail.test. 300 IN A 127.0.0.2",
		"mx-rcpt.test. 300 IN A 127.0.0.4",
		"mx-dot.test. 300 IN A 127.0.0.5",
		"mx-hard.test. 300 IN A 127.0.0.6",
		"mx-bye.test. 300 IN A 127.0.0.7",
		// The busy host is listed second in DNS but preferred: the order
		// is by preference, not by the answer's order.
		"mail.test. 300 IN MX 20 mx-good.test.",
		"mail.test. 300 IN MX 10 mx-mail.test.",
		"rcpt.test. 300 IN MX 10 mx-rcpt.test.",
		"rcpt.test. 300 IN MX 20 mx-good.test.",
		"dot.test. 300 IN MX 10 mx-dot.test.",
		"dot.test. 300 IN MX 20 mx-good.test.",
		"bye.test. 300 IN MX 10 mx-bye.test.",
		"bye.test. 300 IN MX 20 mx-good.test.",
		// Three hosts: the first two fail temporarily, the third takes it.
		"three.test. 300 IN MX 10 mx-mail.test.",
		"three.test. 300 IN MX 20 mx-rcpt.test.",
		"three.test. 300 IN MX 30 mx-good.test.",
		// A 5xx from the preferred host stops: the next is not tried.
		"hard.test. 300 IN MX 10 mx-hard.test.",
		"hard.test. 300 IN MX 20 mx-good.test.",
		// Every host temporarily failing: deferred after one attempt
		// that tried them all.
		"busy.test. 300 IN MX 10 mx-mail.test.",
		"busy.test. 300 IN MX 20 mx-dot.test.",
	)
	res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: dns.Addr})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "", func(o *Options) { o.Resolver, o.MXPort = res, port })
	e.start()

	sent := 0
	for n, to := range []string{"a@mail.test", "b@rcpt.test", "c@dot.test", "d@bye.test", "e@three.test"} {
		id := e.enqueue(n+1, to)
		rec := e.waitState(id, store.OutboundSent)
		sent++
		if rec.Attempts != 1 || !strings.HasPrefix(rec.LastResult, "mx-good.test:"+port) {
			t.Errorf("%s: not moved on to the next MX in the same attempt: %d attempts, %q", to, rec.Attempts, rec.LastResult)
		}
	}
	// Several emails of one destination in one session: each goes to the
	// preferred host first, then on to the next.
	var batch []uint64
	for n := range 3 {
		batch = append(batch, e.enqueue(10+n, "f"+string(rune('a'+n))+"@mail.test"))
	}
	for _, id := range batch {
		if rec := e.waitState(id, store.OutboundSent); rec.Attempts != 1 {
			t.Errorf("batch email %d: %d attempts", id, rec.Attempts)
		}
		sent++
	}

	hard := e.enqueue(20, "g@hard.test")
	rec := e.waitState(hard, store.OutboundBounced)
	if rec.Attempts != 1 || !strings.Contains(rec.LastResult, "mx-hard.test") || !strings.Contains(rec.LastResult, "500 5.") || strings.Contains(rec.LastResult, "mx-good.test") {
		t.Errorf("a 5xx did not stop at the preferred MX: %d attempts, %q", rec.Attempts, rec.LastResult)
	}

	busy := e.enqueue(21, "h@busy.test")
	rec = e.waitState(busy, store.OutboundDeferred)
	if rec.Attempts != 1 || !strings.Contains(rec.LastResult, "mx-mail.test") || !strings.Contains(rec.LastResult, "mx-dot.test") {
		t.Errorf("every MX busy: %d attempts, %q (want both hosts named)", rec.Attempts, rec.LastResult)
	}

	files, _ := filepath.Glob(filepath.Join(good, "*"))
	if len(files) != sent {
		t.Errorf("the next MX kept %d messages, want %d", len(files), sent)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err != nil || !strings.Contains(string(b), "DKIM-Signature") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
