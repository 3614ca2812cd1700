package bridge_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// readCounting counts the per-record reads a listing makes (items,
// customers, users, messages), the work that grows with every row built.
type readCounting struct {
	store.Store
	reads atomic.Int64
	convs atomic.Int64 // conversation records read in lists
}

func (s *readCounting) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(countingTx{tx, &s.reads, &s.convs}) })
}

type countingTx struct {
	store.Tx
	n, convs *atomic.Int64
}

func (t countingTx) Conversations() ([]store.Conversation, error) {
	cs, err := t.Tx.Conversations()
	t.convs.Add(int64(len(cs)))
	return cs, err
}
func (t countingTx) ConversationsByActivity(after *store.Conversation, limit int) ([]store.Conversation, error) {
	cs, err := t.Tx.ConversationsByActivity(after, limit)
	t.convs.Add(int64(len(cs)))
	return cs, err
}

func (t countingTx) Item(id uint64) (*store.Item, error) { t.n.Add(1); return t.Tx.Item(id) }
func (t countingTx) Customer(id uint64) (*store.Customer, error) {
	t.n.Add(1)
	return t.Tx.Customer(id)
}
func (t countingTx) User(id uint64) (*store.User, error) { t.n.Add(1); return t.Tx.User(id) }
func (t countingTx) Message(id uint64) (*store.Message, error) {
	t.n.Add(1)
	return t.Tx.Message(id)
}
func (t countingTx) NewestMessageIDs(conv uint64, n int) ([]uint64, error) {
	t.n.Add(1)
	return t.Tx.NewestMessageIDs(conv, n)
}

// The conversation list pages by activity as of its first page, and a
// page costs the reads of its own rows, not a row per conversation: 300
// conversations, pages of 7, messages arriving while the client pages.
func TestConversationPagesReadOnlyTheirRows(t *testing.T) {
	ctx := context.Background()
	raw := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { raw.Close() })
	st := &readCounting{Store: raw}
	clock := &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("test key, 32 bytes long.........")}, clock, slog.New(slog.DiscardHandler))
	svc.SetOutbox(&logOutbox{})
	if _, err := svc.Directory.Bootstrap(ctx, "admin-token"); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Accounts.Authenticate(ctx, "admin-token")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Directory.CreateProject(ctx, admin, "Support")
	if err != nil {
		t.Fatal(err)
	}
	it, err := svc.Directory.CreateItem(ctx, admin, p.ID, "Ticket")
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	var convs []uint64
	for i := range n {
		clock.Advance(time.Second)
		c, err := svc.Conversations.CreateConversation(ctx, admin, bridge.NewConversation{ItemID: it.ID, Kind: store.KindInternal, Subject: fmt.Sprintf("conversation %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		convs = append(convs, c.ID)
	}
	post := func(conv uint64) {
		t.Helper()
		clock.Advance(time.Second)
		if _, err := svc.Conversations.PostMessage(ctx, admin, conv, bridge.NewMessage{Body: "news"}); err != nil {
			t.Fatal(err)
		}
	}
	// Activity now: every third conversation got a message, oldest first.
	for i := 0; i < n; i += 3 {
		post(convs[i])
	}
	want := slices.Clone(convs)
	rank := map[uint64]int{}
	for i, id := range convs {
		rank[id] = i // created order
	}
	for i := 0; i < n; i += 3 {
		rank[convs[i]] = n + i // posted after every creation, in this order
	}
	slices.SortFunc(want, func(a, b uint64) int { return rank[b] - rank[a] })

	const limit = 7
	var got []uint64
	var cursor *bridge.ConversationCursor
	for page := 0; ; page++ {
		if page > n {
			t.Fatal("paging does not end")
		}
		st.reads.Store(0)
		st.convs.Store(0)
		rows, next, err := svc.Conversations.ConversationRows(ctx, admin, bridge.ListQuery{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		// The first page reads the most recently active conversations
		// and stops: not every conversation of the store.
		if c := st.convs.Load(); page == 0 && c > n/2 {
			t.Errorf("first page: %d conversation records read of %d, for %d rows", c, n, len(rows))
		}
		// Per row: its item, newest message id and message; a few more
		// for the caller's access. Far from a row per conversation.
		if r := st.reads.Load(); r > int64(4*limit+10) {
			t.Errorf("page %d: %d reads for %d rows of %d conversations", page, r, len(rows), n)
		}
		for _, r := range rows {
			got = append(got, r.ID)
		}
		if next == nil {
			break
		}
		cursor = next
		// Later activity keeps its place in this listing (each such
		// conversation costs each later page a read of its messages: on
		// the first 10 pages).
		if page < 10 {
			post(convs[n-1-page])
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged list\n got %v\nwant %v", got, want)
	}
	// A status filter and no bound still list every match.
	rows, next, err := svc.Conversations.ConversationRows(ctx, admin, bridge.ListQuery{Status: store.ItemOpen})
	if err != nil || next != nil || len(rows) != n {
		t.Fatalf("unbounded open list: %d rows, next %v, %v", len(rows), next, err)
	}
}
