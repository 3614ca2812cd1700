package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/storetest"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// rawEmail stands for the composed, signed email a real queue stores.
var rawEmail = make([]byte, 2048)

// recordingOutbox queues each email as an outbound mail log entry with a
// 2 KB body in the caller's transaction (about what the real queue
// writes), and measures how late it is: from its due time (its first
// message's time plus the unseen delay) to the commit that queued it,
// which Kick marks.
type recordingOutbox struct {
	delay time.Duration
	now   func() time.Time

	mu       sync.Mutex
	inTx     []time.Time // due times queued by the transaction in progress
	lateness []time.Duration
	first    time.Time // when the first email was committed
	count    int
}

func (o *recordingOutbox) Enqueue(tx bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	entry := &store.MailLogEntry{Direction: store.DirOutbound, At: e.Messages[0].CreatedAt, To: e.Recipient.Email,
		Subject: e.Conversation.Subject, MessageID: e.MessageID, Status: store.EmailQueued, ConversationID: e.Conversation.ID}
	if err := tx.AddMailLog(entry, rawEmail); err != nil {
		return 0, err
	}
	o.mu.Lock()
	o.inTx = append(o.inTx, e.Messages[0].CreatedAt.Add(o.delay))
	o.mu.Unlock()
	return entry.ID, nil
}

func (o *recordingOutbox) Kick() {
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.count == 0 {
		o.first = now
	}
	for _, due := range o.inTx {
		o.lateness = append(o.lateness, now.Sub(due))
	}
	o.count += len(o.inTx)
	o.inTx = o.inTx[:0]
}

func (o *recordingOutbox) committed() (int, time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.count, o.first
}

// percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(float64(len(sorted))*p), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

func sortedCopy(ds []time.Duration) []time.Duration {
	out := slices.Clone(ds)
	slices.Sort(out)
	return out
}

// helpdesk is a populated store: users following one project, and
// conversations in it, each external with its own customer.
type helpdesk struct {
	dir       string
	st        store.Store
	users     []uint64
	customers []uint64 // customers[i] is in convs[i]
	convs     []uint64
}

// newHelpdesk creates users (all following the project) and conversations
// directly in the store, in a few large transactions: the benchmarks are
// about what happens after, not about creating people.
func newHelpdesk(tb testing.TB, dir string, users, convs int) *helpdesk {
	tb.Helper()
	st := storetest.Open(tb, dir) // DESKGATE_TEST_BACKEND=postgres: on PostgreSQL
	h := &helpdesk{dir: dir, st: st}
	err := st.Update(context.Background(), func(tx store.Tx) error {
		p := &store.Project{Name: "Support", Followers: []uint64{}, CreatedAt: t0}
		for i := range users {
			u := &store.User{Email: fmt.Sprintf("agent%d@support.test", i), Name: fmt.Sprintf("Agent %d", i), Role: store.RoleAgent, CreatedAt: t0}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			h.users = append(h.users, u.ID)
			p.Followers = append(p.Followers, u.ID)
		}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Title: "Tickets", Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: t0}
		return tx.CreateItem(it)
	})
	if err != nil {
		tb.Fatal(err)
	}
	for start := 0; start < convs; start += 1000 {
		err := st.Update(context.Background(), func(tx store.Tx) error {
			for i := start; i < min(start+1000, convs); i++ {
				c := &store.Customer{Email: fmt.Sprintf("customer%d@example.com", i), Name: fmt.Sprintf("Customer %d", i), CreatedAt: t0}
				if err := tx.CreateCustomer(c); err != nil {
					return err
				}
				conv := &store.Conversation{ItemID: 1, ProjectID: 1, Kind: store.KindExternal, Subject: fmt.Sprintf("Ticket %d", i),
					Followers: []uint64{}, CustomerIDs: []uint64{c.ID}, CreatedAt: t0}
				if err := tx.CreateConversation(conv); err != nil {
					return err
				}
				h.customers = append(h.customers, c.ID)
				h.convs = append(h.convs, conv.ID)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// service returns a bridge over the helpdesk's store.
func (h *helpdesk) service(clock bridge.Clock, out bridge.Outbox, delay time.Duration) *bridge.Service {
	svc := bridge.New(h.st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test",
		UnseenDelay: delay, TokenKey: []byte("bench key, 32 bytes long........")}, clock, slog.New(slog.DiscardHandler))
	svc.SetOutbox(out)
	return svc
}

func (h *helpdesk) customer(i int) bridge.Caller {
	return bridge.Caller{Kind: store.KindCustomer, ID: h.customers[i]}
}

func fileSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	fi, err := os.Stat(filepath.Join(dir, boltstore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

func timerCount(tb testing.TB, st store.Store) int {
	tb.Helper()
	n := 0
	if err := st.View(context.Background(), func(tx store.Tx) error { var err error; n, err = tx.TimerCount(); return err }); err != nil {
		tb.Fatal(err)
	}
	return n
}

// postEach has customer i post one message in conversation i, for every
// conversation: each notifies every user (they follow the project) and
// starts one timer per user.
func (h *helpdesk) postEach(tb testing.TB, svc *bridge.Service) {
	tb.Helper()
	ctx := context.Background()
	for i, conv := range h.convs {
		if _, err := svc.Conversations.PostMessage(ctx, h.customer(i), conv, bridge.NewMessage{Body: "My printer is on fire, please help"}); err != nil {
			tb.Fatal(err)
		}
	}
}

// loadAvg is the machine's 1-minute load average (0 if unknown), reported
// beside timings: on a shared machine they mean little without it.
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	if _, err := fmt.Sscan(string(data), &l); err != nil {
		return 0
	}
	return l
}
