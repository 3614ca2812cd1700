package pgstore_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore"
)

// TestQueueBudgetFlat: the outbound queue claims, starts and records its
// emails in batches on PostgreSQL (issue 22, item 5): queuing a batch of
// notification emails (firing their timers) and then sending them all
// (captured: the whole path but the SMTP session) costs a number of
// statements that does not grow with the number of emails beyond a few
// per commit of results.
func TestQueueBudgetFlat(t *testing.T) {
	cost := func(followers int) (emails, firing, drain int) {
		w := newBudgetWorld(t, followers)
		keys, err := outbound.LoadOrCreateKeys(t.TempDir(), w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		q, err := outbound.New(w.st, outbound.Options{Domain: "support.test", Hostname: "mx.support.test", Keys: keys,
			BounceAddress: w.svc.Addresses.BounceAddress, Outcomes: w.svc.Messaging, Capture: true, Clock: w.clock,
			MaxWorkers: 1, MaxPerDestination: 1, MaxPerSession: 256,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		w.svc.SetOutbox(q)
		w.receive(t, "carol@example.com", "Printer", "p1@example.com")
		w.clock.Advance(2 * time.Minute)
		w.settleCache(t)
		s, _, log := w.cnt.measure(t, func() {
			if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("firing into the queue: %d statements", s)
		if s > 20 {
			t.Errorf("firing into the queue costs %d statements, more than 20:\n  %s", s, strings.Join(tally(log), "\n  "))
		}
		firing = s

		// A store of its own to watch the queue drain, uncounted.
		watch, err := pgstore.Open(context.Background(), w.url)
		if err != nil {
			t.Fatal(err)
		}
		defer watch.Close()
		pending := func() int {
			n := 0
			if err := watch.View(context.Background(), func(tx store.Tx) (err error) { n, err = tx.OutboundPending(); return err }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		emails = pending()
		var commits int
		s, commits, log = w.cnt.measure(t, func() {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = q.Run(ctx) }()
			deadline := time.Now().Add(60 * time.Second)
			for pending() > 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			<-done
		})
		if n := pending(); n != 0 {
			t.Fatalf("%d emails still pending after a minute", n)
		}
		// The idle loop's poll for the next due email runs as often as
		// time allows, not per email: it is left out.
		polls := 0
		for _, q := range log {
			if strings.HasPrefix(q, "SELECT min(next_ns) FROM outbound") {
				polls++
			}
		}
		commits -= polls // each poll is a read transaction of its own
		t.Logf("sending %d emails: %d statements and %d commits besides %d polls", emails, s-polls, commits, polls)
		// Results commit as they gather, so how many commits there are
		// depends on timing; each reads its emails in a few statements.
		if s-polls > 10+7*commits {
			t.Errorf("sending %d emails costs %d statements in %d commits, more than 10 + 7 a commit:\n  %s",
				emails, s-polls, commits, strings.Join(tally(log), "\n  "))
		}
		return emails, firing, s - polls
	}
	n1, f1, d1 := cost(2)
	n2, f2, d2 := cost(60)
	t.Logf("%d emails: firing %d, sending %d statements; %d emails: %d, %d", n1, f1, d1, n2, f2, d2)
	if n2 < 10*n1 {
		t.Fatalf("only %d and %d emails: not a test of size", n1, n2)
	}
	if f2 > f1+3 {
		t.Errorf("%d emails cost %d statements to queue and %d to send; %d emails %d and %d: it grows with the number of emails",
			n1, f1, d1, n2, f2, d2)
	}
}
