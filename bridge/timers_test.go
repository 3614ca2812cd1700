package bridge_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// fakeClock is a bridge.TimerClock the test moves by hand: Advance fires
// the waits it passes, so the timer loop runs without sleeping a minute.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWait
	waits   int // After calls so far: the loop has gone to sleep this often
}

type fakeWait struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits++
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWait{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			keep = append(keep, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = keep
}

func (c *fakeClock) Waits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waits
}

// logOutbox queues emails as outbound mail log entries in the caller's
// transaction, like the real queue: an email exists only if the
// transaction that queued it committed. fail makes Enqueue fail for one
// address.
type logOutbox struct {
	fail string
	mu   sync.Mutex
	kick int
}

var errPoison = errors.New("this address cannot be queued")

func (o *logOutbox) Enqueue(tx bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	if o.fail != "" && e.Recipient.Email == o.fail {
		return 0, errPoison
	}
	if e.Conversation.ID == 0 {
		return 0, nil // an account email (welcome…): not what these tests count
	}
	entry := &store.MailLogEntry{Direction: store.DirOutbound, To: e.Recipient.Email, MessageID: e.MessageID,
		Subject: fmt.Sprintf("%d messages", len(e.Messages)), Status: store.EmailQueued, ConversationID: e.Conversation.ID}
	if err := tx.AddMailLog(entry, nil); err != nil {
		return 0, err
	}
	return entry.ID, nil
}

func (o *logOutbox) Kick() {
	o.mu.Lock()
	o.kick++
	o.mu.Unlock()
}

// queued returns, per recipient address, how many emails are committed.
func queued(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := st.View(context.Background(), func(tx store.Tx) error {
		es, err := tx.ListMailLog(store.MailLogQuery{Direction: store.DirOutbound, Limit: 1 << 20})
		for _, e := range es {
			out[e.To]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// world is a helpdesk with one agent and an external conversation with n
// customers; the agent's messages notify every customer.
type world struct {
	svc    *bridge.Service
	st     store.Store
	clock  *fakeClock
	out    *logOutbox
	agent  bridge.Caller
	conv   uint64
	emails []string
	writes int // write transactions so far
	mu     sync.Mutex
}

func newWorld(t *testing.T, customers int, out *logOutbox) *world {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	w := &world{st: st, out: out, clock: &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}}
	st.SetWriteObserver(func(time.Duration) { w.mu.Lock(); w.writes++; w.mu.Unlock() })
	w.svc = bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("test key, 32 bytes long.........")}, w.clock, slog.New(slog.DiscardHandler))
	w.svc.SetOutbox(out)
	if _, err := w.svc.Directory.Bootstrap(ctx, "admin-token"); err != nil {
		t.Fatal(err)
	}
	admin, err := w.svc.Accounts.Authenticate(ctx, "admin-token")
	if err != nil {
		t.Fatal(err)
	}
	u, err := w.svc.Directory.CreateUser(ctx, admin, "agent@support.test", "Agnes", store.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	w.agent = bridge.Caller{Kind: store.KindUser, ID: u.ID, Role: store.RoleAgent}
	var ids []uint64
	for i := range customers {
		c, err := w.svc.Directory.CreateCustomer(ctx, admin, fmt.Sprintf("c%d@example.com", i), "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		w.emails = append(w.emails, c.Email)
	}
	p, err := w.svc.Directory.CreateProject(ctx, admin, "Support")
	if err != nil {
		t.Fatal(err)
	}
	it, err := w.svc.Directory.CreateItem(ctx, admin, p.ID, "Ticket")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := w.svc.Conversations.CreateConversation(ctx, admin, bridge.NewConversation{ItemID: it.ID, Kind: store.KindExternal, Subject: "Hi", CustomerIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	w.conv = conv.ID
	return w
}

func (w *world) post(t *testing.T, body string) {
	t.Helper()
	if _, err := w.svc.Conversations.PostMessage(context.Background(), w.agent, w.conv, bridge.NewMessage{Body: body}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) writeCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

func (w *world) timers(t *testing.T) int {
	t.Helper()
	n := 0
	if err := w.st.View(context.Background(), func(tx store.Tx) error { var err error; n, err = tx.TimerCount(); return err }); err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually polls cond (real time, bounded) for what a background loop does.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A burst of due timers fires in a few transactions (fireBatch per
// commit), not one per timer, and every recipient gets exactly one email.
func TestFireDueFiresABurstInBatches(t *testing.T) {
	const n = 600 // more than two batches of 256
	w := newWorld(t, n, &logOutbox{})
	w.post(t, "first")
	w.clock.Advance(10 * time.Second)
	w.post(t, "second")
	if got := w.timers(t); got != n {
		t.Fatalf("%d timers pending, want %d (one per recipient and conversation)", got, n)
	}
	w.clock.Advance(time.Minute)
	before := w.writeCount()
	if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A store that writes in parallel fires the batches side by side; a
	// firer that then finds the rest held by the others has claimed
	// nothing (one empty transaction each, at most one per firer).
	want, most := 3, 3
	if p, ok := w.st.(store.ParallelWriter); ok {
		most += p.ParallelWrites()
	}
	if commits := w.writeCount() - before; commits < want || commits > most {
		t.Fatalf("firing %d timers took %d write transactions, want %d to %d (256 per commit)", n, commits, want, most)
	}
	got := queued(t, w.st)
	for _, addr := range w.emails {
		if got[addr] != 1 {
			t.Fatalf("%s got %d emails, want 1 (both messages in one)", addr, got[addr])
		}
	}
	if w.timers(t) != 0 {
		t.Fatalf("%d timers left after firing", w.timers(t))
	}
	// Firing again sends nothing more.
	if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again := queued(t, w.st); len(again) != n || again[w.emails[0]] != 1 {
		t.Fatalf("second pass queued more: %d recipients", len(again))
	}
}

// One timer that cannot fire does not hold up the batch: the others are
// emailed, it is put off by a minute and keeps its pending notifications,
// and nothing of the failed batch was queued twice.
func TestFireDueIsolatesAFailingTimer(t *testing.T) {
	const n = 40
	out := &logOutbox{fail: "c7@example.com"}
	w := newWorld(t, n, out)
	w.post(t, "hello")
	w.clock.Advance(time.Minute)
	if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := queued(t, w.st)
	if len(got) != n-1 || got["c7@example.com"] != 0 {
		t.Fatalf("queued to %d recipients (poison %d), want %d", len(got), got["c7@example.com"], n-1)
	}
	for addr, k := range got {
		if k != 1 {
			t.Fatalf("%s got %d emails", addr, k)
		}
	}
	var due time.Time
	var ok bool
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		next, has, err := tx.NextTimer()
		if err != nil {
			return err
		}
		n, err := tx.TimerCount()
		due, ok = next, has && n == 1
		return err
	})
	if err != nil || !ok || !due.Equal(w.clock.Now().Add(time.Minute)) {
		t.Fatalf("failing timer: due %v (ok %v), want now+1m", due, ok)
	}
}

// RunTimers sleeps on the service's clock: with a fake clock an email goes
// out when the clock passes the minute, not before, and the test does not
// sleep a minute; a pass with nothing due commits nothing.
func TestRunTimersWakesOnTheFakeClock(t *testing.T) {
	w := newWorld(t, 2, &logOutbox{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.svc.Notifications.RunTimers(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	// The loop sleeps on the fake clock only, so once it has gone to sleep
	// it stays asleep until the test posts or advances.
	eventually(t, "the loop to sleep", func() bool { return w.clock.Waits() >= 1 })
	w.post(t, "hello")

	sleeping, writes := w.clock.Waits(), w.writeCount()
	w.clock.Advance(59 * time.Second)
	eventually(t, "the loop to run after 59 s", func() bool { return w.clock.Waits() > sleeping })
	if got := queued(t, w.st); len(got) != 0 {
		t.Fatalf("emailed before the minute: %v", got)
	}
	if n := w.writeCount() - writes; n != 0 {
		t.Fatalf("a pass with nothing due committed %d write transactions", n)
	}
	w.clock.Advance(time.Second)
	eventually(t, "the emails at one minute", func() bool { return len(queued(t, w.st)) == 2 })
	eventually(t, "the kick after the commit", func() bool { out := w.out; out.mu.Lock(); defer out.mu.Unlock(); return out.kick > 0 })
}
