package pgstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// counter is a pgx tracer that counts the statements the server runs
// (each statement of a batch is one, as pg_stat_statements counts them)
// and, apart, the transaction control around them: BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT and RELEASE. Commits are what cost a WAL flush.
type counter struct {
	mu         sync.Mutex
	on         bool
	statements int
	commits    int
	control    int
	log        []string
}

func (c *counter) count(sql string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on {
		return
	}
	word := strings.ToUpper(strings.Fields(strings.TrimSpace(sql) + " x")[0])
	switch word {
	case "COMMIT":
		c.commits++
		c.control++
	case "BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE":
		c.control++
	default:
		c.statements++
		c.log = append(c.log, strings.Join(strings.Fields(sql), " "))
	}
}

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.count(d.SQL)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *counter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.count(d.SQL)
}
func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// measure runs unit with counting on and returns what it cost.
func (c *counter) measure(tb testing.TB, unit func()) (statements, commits int, log []string) {
	tb.Helper()
	c.mu.Lock()
	c.on, c.statements, c.commits, c.control, c.log = true, 0, 0, 0, nil
	c.mu.Unlock()
	unit()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.statements, c.commits, c.log
}

// budgetWorld is a helpdesk on PostgreSQL: 100 agents following one
// project, an admin, and the bridge over it with its background loops
// idle (none is started), over the events recorder as serve runs it (it
// reads the webhooks in every write: from the node's cache).
type budgetWorld struct {
	st    *pgstore.Store
	url   string // the schema's
	svc   *bridge.Service
	cnt   *counter
	agent uint64
	clock *clocktest.Clock
}

// logOutbox queues each email as an outbound mail log entry in the
// caller's transaction (about what the real queue writes).
type logOutbox struct{}

func (logOutbox) Enqueue(tx bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	entry := &store.MailLogEntry{Direction: store.DirOutbound, At: e.Messages[0].CreatedAt, To: e.Recipient.Email,
		Subject: e.Conversation.Subject, MessageID: e.MessageID, Status: store.EmailQueued, ConversationID: e.Conversation.ID}
	if err := tx.AddMailLog(entry, []byte("raw")); err != nil {
		return 0, err
	}
	return entry.ID, nil
}

func (logOutbox) Kick() {}

func newBudgetWorld(tb testing.TB, followers int) *budgetWorld {
	tb.Helper()
	cnt := &counter{}
	url := pgtest.NewSchema(tb)
	st, err := pgstore.Open(context.Background(), url, pgstore.WithTracer(cnt))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	w := &budgetWorld{st: st, cnt: cnt, url: url}
	err = st.Update(context.Background(), func(tx store.Tx) error {
		admin := &store.User{Email: "admin@support.test", Name: "Admin", Role: store.RoleAdmin}
		if err := tx.CreateUser(admin); err != nil {
			return err
		}
		p := &store.Project{Name: bridge.InboxProject, Followers: []uint64{admin.ID}}
		for i := range followers {
			u := &store.User{Email: fmt.Sprintf("agent%d@support.test", i), Name: fmt.Sprintf("Agent %d", i), Role: store.RoleAgent}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			p.Followers = append(p.Followers, u.ID)
			if w.agent == 0 {
				w.agent = u.ID
			}
		}
		return tx.CreateProject(p)
	})
	if err != nil {
		tb.Fatal(err)
	}
	w.clock = clocktest.New(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	w.svc = bridge.New(events.Record(st, nil), bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("budget key, 32 bytes long......."),
	}, w.clock, slog.New(slog.DiscardHandler))
	w.svc.Inbound.SetInbound(bridge.InboundConfig{}) // sender checks off: no DNS here
	w.svc.SetOutbox(logOutbox{})
	return w
}

func (w *budgetWorld) receive(tb testing.TB, from, subject, msgID string) bridge.Receipt {
	tb.Helper()
	raw := fmt.Sprintf("From: %s\r\nTo: support@support.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\nMy printer is on fire.\r\n", from, subject, msgID)
	rec, err := w.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: from, To: []string{"support@support.test"}}, []byte(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if len(rec.Entries) != 1 || rec.Entries[0].MessageID == 0 {
		tb.Fatalf("receipt %+v: want one stored message", rec)
	}
	return rec
}

// settleCache waits until the node's cache holds every kind it keeps and
// keeps it: a transaction that changed a kind invalidates it at its
// commit and again when the node hears its own NOTIFY, a moment later,
// so a unit measured right after setup could count a cache load that
// belongs to no unit of work (the count then depends on timing). It reads
// every cached kind until two reads in a row cost no statement.
func (w *budgetWorld) settleCache(tb testing.TB) {
	tb.Helper()
	quiet := 0
	for range 200 {
		s, _, _ := w.cnt.measure(tb, func() {
			if err := w.st.View(context.Background(), func(tx store.Tx) error {
				for _, read := range []func() error{
					func() error { _, err := tx.Users(); return err },
					func() error { _, err := tx.Settings(w.agent); return err },
					func() error { _, err := tx.Projects(); return err },
					func() error { _, err := tx.Templates(); return err },
					func() error { _, err := tx.Automations(); return err },
					func() error { _, err := tx.Webhooks(); return err },
				} {
					if err := read(); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				tb.Fatal(err)
			}
		})
		if s == 0 {
			if quiet++; quiet == 2 {
				return
			}
		} else {
			quiet = 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("the node cache did not settle in 200 reads")
}

// budget fails tb when a unit of work costs more than its budget.
func budget(tb testing.TB, unit string, statements, commits, maxStatements, maxCommits int, log []string) {
	tb.Helper()
	tb.Logf("%s: %d statements, %d commits", unit, statements, commits)
	if statements > maxStatements || commits > maxCommits {
		tb.Errorf("%s costs %d statements and %d commits; the budget is %d and %d:\n  %s",
			unit, statements, commits, maxStatements, maxCommits, strings.Join(tally(log), "\n  "))
	}
}

// tally is log with repeated statements counted once, in first order.
func tally(log []string) []string {
	n := map[string]int{}
	var order []string
	for _, q := range log {
		if n[q] == 0 {
			order = append(order, q)
		}
		n[q]++
	}
	out := make([]string, len(order))
	for i, q := range order {
		if len(q) > 150 {
			q = q[:150] + "…"
		}
		out[i] = fmt.Sprintf("%4d× %s", n[order[i]], q)
	}
	return out
}

// TestStatementBudget holds PostgreSQL to a budget per unit of work
// (issue 22): a new conversation by mail from a new customer, a reply
// threaded by its subject tag, and an API post into a conversation 100
// users follow, whatever the number of followers.
func TestStatementBudget(t *testing.T) {
	w := newBudgetWorld(t, 100)
	// Warm the node's caches (first mail creates nothing more than later
	// ones do, but reads the read-mostly records once).
	w.receive(t, "warm@example.com", "Warm up", "warm@example.com")

	var rec bridge.Receipt
	w.settleCache(t)

	s, c, log := w.cnt.measure(t, func() { rec = w.receive(t, "carol@example.com", "Printer", "p1@example.com") })
	budget(t, "new conversation by mail", s, c, 4, 1, log)
	conv := rec.Entries[0].ConversationID

	subject := fmt.Sprintf("Re: [#%d] Printer", conv)
	w.settleCache(t)

	s, c, log = w.cnt.measure(t, func() {
		rec = w.receive(t, "carol@example.com", subject, "p2@example.com")
	})
	budget(t, "threaded reply", s, c, 5, 1, log)
	if rec.Entries[0].ConversationID != conv {
		t.Fatalf("reply went to conversation %d, want %d", rec.Entries[0].ConversationID, conv)
	}

	var m *store.Message
	w.settleCache(t)

	s, c, log = w.cnt.measure(t, func() {
		var err error
		m, err = w.svc.Conversations.PostMessage(context.Background(), bridge.Caller{Kind: store.KindUser, ID: w.agent}, conv,
			bridge.NewMessage{Body: "We are on it."})
		if err != nil {
			t.Fatal(err)
		}
	})
	budget(t, "API post to 100 followers", s, c, 9, 1, log)
	// The post did notify every other follower and the customer.
	var n int
	if err := w.st.View(context.Background(), func(tx store.Tx) error {
		ds, err := tx.Deliveries(m.ID)
		n = len(ds)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 101 { // 99 other agents, the admin, Carol
		t.Errorf("the post made %d deliveries, want 101", n)
	}

	// Every recipient's timer falls due: firing them costs a handful of
	// statements per batch of up to 256 timers, whatever its size.
	timers := 0
	if err := w.st.View(context.Background(), func(tx store.Tx) (err error) { timers, err = tx.TimerCount(); return err }); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Minute)
	w.settleCache(t)

	s, c, log = w.cnt.measure(t, func() {
		if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("firing %d due timers: %d statements (%.1f a timer), %d commits", timers, s, float64(s)/float64(max(timers, 1)), c)
	if timers < 100 || s > 20 { // 8.1 a timer before issue 22, 4.1 before item 5
		t.Errorf("firing %d timers costs %d statements, more than 20:\n  %s", timers, s, strings.Join(tally(log), "\n  "))
	}
}

// TestFiringBudgetFlat: firing a batch of due timers costs a handful of
// statements whatever the batch's size (issue 22, item 5): every read
// firing needs is one set-based statement for the whole batch, and the
// writes (deliveries, timers, mail log entries, cap entries) are
// multi-row. Firing 10 and 150 timers must cost the same, within a few.
func TestFiringBudgetFlat(t *testing.T) {
	cost := func(followers int) (timers, statements int) {
		w := newBudgetWorld(t, followers)
		w.receive(t, "warm@example.com", "Warm up", "warm@example.com")
		w.clock.Advance(2 * time.Minute)
		if err := w.svc.Notifications.FireDue(context.Background()); err != nil { // the warm-up's timers
			t.Fatal(err)
		}
		// Several conversations, each with its own customer: firing reads
		// conversations, customers and messages of many.
		for i := range 3 {
			w.receive(t, fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Printer %d", i), fmt.Sprintf("m%d@example.com", i))
		}
		if err := w.st.View(context.Background(), func(tx store.Tx) (err error) { timers, err = tx.TimerCount(); return err }); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(2 * time.Minute)
		w.settleCache(t)

		s, c, log := w.cnt.measure(t, func() {
			if err := w.svc.Notifications.FireDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("firing %d timers: %d statements, %d commits", timers, s, c)
		if s > 20 {
			t.Errorf("firing %d timers costs %d statements, more than 20:\n  %s", timers, s, strings.Join(tally(log), "\n  "))
		}
		var left, logged int
		if err := w.st.View(context.Background(), func(tx store.Tx) (err error) {
			if left, err = tx.TimerCount(); err != nil {
				return err
			}
			es, err := tx.ListMailLog(store.MailLogQuery{Direction: store.DirOutbound, Limit: 10000})
			logged = len(es)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d timers left after firing", left)
		}
		if want := timers + (followers + 1); logged != want { // the warm-up's emails too
			t.Errorf("%d emails queued, want %d", logged, want)
		}
		return timers, s
	}
	n1, s1 := cost(2)
	n2, s2 := cost(49)
	if n2 < 10*n1/2 {
		t.Fatalf("only %d and %d timers: not a test of size", n1, n2)
	}
	if s2 > s1+3 {
		t.Errorf("firing %d timers costs %d statements, %d timers %d: it grows with the batch", n1, s1, n2, s2)
	}
}
