package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/imapfetch"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
)

// imapRig is a bbolt-backed domain with a fetcher against a private Dovecot.
type imapRig struct {
	st  store.Store
	svc *bridge.Service
	dc  *dovecottest.Server
}

func newIMAPRig(b *testing.B) *imapRig {
	dc := dovecottest.Start(b, dovecottest.Options{})
	st, err := boltstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test", TokenKey: make([]byte, 32)}, nil, quietLog())
	return &imapRig{st: st, svc: svc, dc: dc}
}

func (r *imapRig) connect(b *testing.B, importSince string) {
	admin := bridge.Caller{Kind: store.KindUser, ID: 1, Role: store.RoleAdmin}
	if _, err := r.svc.Mailboxes.CreateMailbox(context.Background(), admin, bridge.MailboxInput{Host: "127.0.0.1", Port: r.dc.Port, TLS: store.MailboxTLSNone,
		Username: dovecottest.User, Password: dovecottest.Password, ImportSince: importSince}); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := imapfetch.New(imapfetch.Domain{Mailboxes: r.svc.Mailboxes, Inbound: r.svc.Inbound}, imapfetch.Config{Node: "bench", Scan: 50 * time.Millisecond, Batch: 200}, quietLog())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
}

func (r *imapRig) known(msgID string) bool {
	found := false
	_ = r.st.View(context.Background(), func(tx store.Tx) error {
		ref, err := tx.MessageRef(msgID)
		found = err == nil && ref.MessageID != 0
		return nil
	})
	return found
}

func (r *imapRig) wait(b *testing.B, what string, d time.Duration, cond func() bool) {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkIMAPAppendToConversation: the latency from an IMAP APPEND to
// Dovecot until the message is a stored conversation message in deskgate
// (IDLE wake-up, UID FETCH, the whole inbound path, commit), one message
// at a time, 1,000 messages; p50/p99 in ms.
func BenchmarkIMAPAppendToConversation(b *testing.B) {
	const n = 1000
	for b.Loop() {
		r := newIMAPRig(b)
		r.connect(b, "")
		r.wait(b, "idle", time.Minute, func() bool {
			ms, _ := r.svc.Mailboxes.AllMailboxes(context.Background())
			return len(ms) == 1 && ms[0].State == store.MailboxIdle
		})
		c := r.dc.Client()
		lat := make([]time.Duration, 0, n)
		for i := range n {
			id := fmt.Sprintf("lat-%d@example.com", i)
			raw := dovecottest.Message(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Latency %d", i), id, "hello")
			start := time.Now()
			if err := dovecottest.AppendWith(c, "INBOX", raw); err != nil {
				b.Fatal(err)
			}
			r.wait(b, "message "+id, time.Minute, func() bool { return r.known(id) })
			lat = append(lat, time.Since(start))
		}
		c.Close()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkIMAPBacklogDrain: 10,000 messages already in the folder, the
// mailbox connected with import_since: how fast they become conversations.
func BenchmarkIMAPBacklogDrain(b *testing.B) {
	const n = 10000
	for range b.N { // b.Loop would need the timer running
		b.StopTimer()
		r := newIMAPRig(b)
		c := r.dc.Client()
		for i := range n {
			raw := dovecottest.Message(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Backlog %d", i), fmt.Sprintf("bl-%d@example.com", i), "hello")
			if err := dovecottest.AppendWith(c, "INBOX", raw); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
		b.StartTimer()
		start := time.Now()
		r.connect(b, time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly))
		last := fmt.Sprintf("bl-%d@example.com", n-1)
		r.wait(b, "the backlog drained", 30*time.Minute, func() bool { return r.known(last) })
		took := time.Since(start)
		b.ReportMetric(float64(n)/took.Seconds(), "msgs/s")
		b.ReportMetric(took.Seconds(), "drain-s")
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
