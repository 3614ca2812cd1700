package bridge

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deskgate/deskgate/store"
)

// ListQuery selects the conversations of GET /conversations. Zero fields
// select everything the caller may see.
type ListQuery struct {
	Tab        string // TabAll (""), TabFromCustomers or TabInternal
	Status     string // the item's status ("open", "closed", …); "" any
	Assignee   string // "me", "none", a user id; "" anyone
	ItemID     uint64 // only this item's conversations
	CustomerID uint64 // only conversations with this customer
	// Q finds conversations whose subject, customers' addresses and names,
	// or message bodies have words beginning with every word of Q
	// (store.SearchTerms).
	Q string
	// Cursor continues a listing (nil: the first page); Limit bounds the
	// page (0: no bound). See ConversationCursor.
	Cursor *ConversationCursor
	Limit  int
}

// MaxSearchConversations bounds the conversations one search looks at by
// message text (the newest matches); subjects and addresses are always
// all looked at.
const MaxSearchConversations = 1000

// MaxSearchResults bounds the answer of a search (q): the most recently
// active conversations found.
const MaxSearchResults = 100

// ConversationRow is a conversation with what a list row and a
// conversation header show: its item's title, status and assignees, its
// customers, and its newest message.
type ConversationRow struct {
	store.Conversation
	ItemTitle string
	Status    string
	Assignees []uint64 // empty for a customer caller
	// AssigneeNames are the assignees' names (their address when they
	// have none), in the order of Assignees: an agent may not list users.
	AssigneeNames []string
	Customers     []store.Customer
	Last          *store.Message // nil: no message yet
}

// SnippetRunes bounds a row's snippet of the newest message.
const SnippetRunes = 160

// Snippet is the start of a message body on one line, for list rows.
func Snippet(body string) string {
	s := strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(s) <= SnippetRunes {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:SnippetRunes])) + "…"
}

func (q *ListQuery) validate() error {
	if q.Tab == "" {
		q.Tab = TabAll
	}
	if q.Tab != TabAll && q.Tab != TabFromCustomers && q.Tab != TabInternal {
		return errorf(KindInvalid, "tab: must be all, from_customers or internal")
	}
	if q.Status != "" && !statusRE.MatchString(q.Status) {
		return errorf(KindInvalid, "status: a lower-case word, e.g. open or closed")
	}
	if q.Assignee != "me" && q.Assignee != "none" && q.Assignee != "" {
		if n, err := strconv.ParseUint(q.Assignee, 10, 64); err != nil || n == 0 {
			return errorf(KindInvalid, "assignee: me, none or a user id")
		}
	}
	if len(q.Q) > 200 {
		return errorf(KindInvalid, "q: at most 200 bytes")
	}
	return nil
}

// ConversationRows returns the rows of the conversations c may see that
// q selects, most recently active first (a search: at most
// MaxSearchResults), a page of q.Limit after q.Cursor, and the cursor of
// the next page (nil when this is the last). A staff user whose
// show_from_customers is off gets no external conversation (SPEC §4).
func (s *Conversations) ConversationRows(ctx context.Context, c Caller, q ListQuery) ([]ConversationRow, *ConversationCursor, error) {
	if err := q.validate(); err != nil {
		return nil, nil, err
	}
	terms := store.SearchTerms(q.Q)
	if strings.TrimSpace(q.Q) != "" && len(terms) == 0 {
		return []ConversationRow{}, nil, nil // only punctuation: nothing can match
	}
	asOf := s.clock.Now().UnixNano()
	if q.Cursor != nil {
		asOf = q.Cursor.AsOf
	}
	// A page is chosen from light entries (the conversation, its activity
	// as of asOf) and only its rows are built: a page of 100 reads what
	// those 100 rows show, not a row per visible conversation. Without a
	// search the scan stops as soon as no later conversation can enter the
	// page: candidates come newest activity first, and a conversation's
	// activity as of asOf is never after its activity now.
	var (
		out  []ConversationRow
		next *ConversationCursor
	)
	err := s.st.View(ctx, func(tx store.Tx) error {
		next = nil
		hide, err := newCustomerFilter(tx, c)
		if err != nil {
			return err
		}
		var byText map[uint64]bool
		if len(terms) > 0 {
			ids, err := tx.SearchConversations(terms, MaxSearchConversations)
			if err != nil {
				return err
			}
			byText = make(map[uint64]bool, len(ids))
			for _, id := range ids {
				byText[id] = true
			}
		}
		// Most recently active first, so a search can stop at
		// MaxSearchResults and a page as soon as it is full.
		candidate := byActivity(tx, q.ItemID)
		// Staff visibility is per project: decided once per project.
		projects := map[uint64]bool{}
		customers := map[uint64]*store.Customer{}
		var top topEntries // the page and one more: is there a next page?
		if q.Limit > 0 {
			top.max = q.Limit + 1
		}
		found := 0
		for {
			conv, err := candidate()
			if err != nil {
				return err
			}
			if conv == nil || len(terms) > 0 && found == MaxSearchResults {
				break
			}
			// The store orders by activity to the microsecond (rounded
			// on older PostgreSQL rows): a later conversation is at most
			// 2 µs more recent than this one.
			if len(terms) == 0 && top.full() && top.worst().at > activity(*conv).UnixNano()+2000 {
				break // every later conversation ranks below the page
			}
			if (q.Tab == TabFromCustomers && conv.Kind != store.KindExternal) ||
				(q.Tab == TabInternal && conv.Kind != store.KindInternal) ||
				(q.ItemID != 0 && conv.ItemID != q.ItemID) ||
				(q.CustomerID != 0 && !slices.Contains(conv.CustomerIDs, q.CustomerID)) ||
				hide.hides(conv.Kind) || conv.CreatedAt.UnixNano() > asOf {
				continue
			}
			ok, seen := projects[conv.ProjectID]
			if !seen || !c.IsStaff() {
				if ok, err = mayViewConversation(tx, c, conv); err != nil {
					return err
				}
				if c.IsStaff() {
					projects[conv.ProjectID] = ok
				}
			}
			if !ok || (len(terms) > 0 && !searchFinds(tx, c, conv, terms, byText, customers)) {
				continue
			}
			if !q.selectsItem(tx, c, conv) {
				continue
			}
			found++
			at, err := activityAsOf(tx, conv, asOf)
			if err != nil {
				return err
			}
			if q.Cursor != nil && (at > q.Cursor.At || at == q.Cursor.At && conv.ID <= q.Cursor.ID) {
				continue
			}
			top.add(pageEntry{conv, at})
		}
		page := top.sorted()
		if q.Limit > 0 && len(page) > q.Limit {
			page = page[:q.Limit]
			last := page[q.Limit-1]
			next = &ConversationCursor{AsOf: asOf, At: last.at, ID: last.conv.ID}
		}
		out = make([]ConversationRow, len(page))
		for i, e := range page {
			if out[i], err = rowOf(tx, c, e.conv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, storeErr(err, "conversations")
	}
	return out, next, nil
}

// byActivity returns the conversations most recently active first, one
// at a time (nil after the last): an item's from the store's item index,
// else read from the store's activity order a chunk at a time, so a page
// that fills early reads only its first chunks. (Conversations active in
// the very same nanosecond rank by id in a page but come from the store
// by higher id first, to the microsecond: a page among many such ties,
// as a bulk import with one creation time makes, reads all of them.)
func byActivity(tx store.WorkTx, item uint64) func() (*store.Conversation, error) {
	const chunk = 128
	var (
		buf  []store.Conversation
		i    int
		done bool
	)
	return func() (*store.Conversation, error) {
		if i == len(buf) {
			if done {
				return nil, nil
			}
			var (
				next []store.Conversation
				err  error
			)
			switch {
			case item != 0:
				next, err = tx.ItemConversations(item)
				slices.SortStableFunc(next, func(a, b store.Conversation) int { return activity(b).Compare(activity(a)) })
				done = true
			case len(buf) == 0:
				next, err = tx.ConversationsByActivity(nil, chunk)
			default:
				next, err = tx.ConversationsByActivity(&buf[len(buf)-1], chunk)
			}
			if err != nil {
				return nil, err
			}
			done = done || len(next) < chunk
			buf, i = next, 0
			if len(buf) == 0 {
				return nil, nil
			}
		}
		i++
		return &buf[i-1], nil
	}
}

// ConversationRow returns the row of conversation id if c may see it.
func (s *Conversations) ConversationRow(ctx context.Context, c Caller, id uint64) (ConversationRow, error) {
	var row ConversationRow
	err := s.st.View(ctx, func(tx store.Tx) error {
		conv, err := viewConversation(tx, c, id)
		if err != nil {
			return err
		}
		row, err = rowOf(tx, c, conv)
		return err
	})
	return row, storeErr(err, "conversation")
}

// searchFinds reports whether search terms find conv, which c may see: by its
// message text (byText, from the store's search), its subject, or the
// address or name of one of its customers that c may see (customers read
// once per search, in cache).
func searchFinds(tx store.PeopleTx, c Caller, conv *store.Conversation, terms []string, byText map[uint64]bool, cache map[uint64]*store.Customer) bool {
	if byText[conv.ID] || store.MatchTerms(conv.Subject, terms) {
		return true
	}
	for _, id := range forCaller(c, *conv).CustomerIDs {
		cu, ok := cache[id]
		if !ok {
			cu, _ = tx.Customer(id) // nil when gone
			cache[id] = cu
		}
		if cu != nil && store.MatchTerms(cu.Email+" "+cu.Name, terms) {
			return true
		}
	}
	return false
}

// selectsItem applies the status and assignee filters to conv, by its
// item as c sees it (a customer sees no assignees).
func (q ListQuery) selectsItem(tx store.WorkTx, c Caller, conv *store.Conversation) bool {
	if q.Status == "" && q.Assignee == "" {
		return true
	}
	status, assignees := store.ItemOpen, []uint64(nil)
	if it, err := tx.Item(conv.ItemID); err == nil {
		status = itemStatus(it)
		if c.IsStaff() {
			assignees = it.Assignees
		}
	}
	if q.Status != "" && status != q.Status {
		return false
	}
	switch q.Assignee {
	case "":
	case "none":
		if len(assignees) > 0 {
			return false
		}
	case "me":
		if !slices.Contains(assignees, c.ID) || !c.IsStaff() {
			return false
		}
	default:
		n, _ := strconv.ParseUint(q.Assignee, 10, 64)
		if !slices.Contains(assignees, n) {
			return false
		}
	}
	return true
}

// rowOf completes conv (which c may see) into its row, as c may see it:
// a customer gets neither the assignees nor the other customers.
func rowOf(tx rowTx, c Caller, conv *store.Conversation) (ConversationRow, error) {
	row := ConversationRow{Conversation: forCaller(c, *conv), Assignees: []uint64{}, AssigneeNames: []string{}, Customers: []store.Customer{}, Status: store.ItemOpen}
	if it, err := tx.Item(conv.ItemID); err == nil {
		row.ItemTitle, row.Status = it.Title, itemStatus(it)
		if c.IsStaff() {
			row.Assignees = it.Assignees
			for _, id := range it.Assignees {
				name := fmt.Sprintf("user %d", id)
				if u, err := tx.User(id); err == nil {
					name = cmp.Or(u.Name, u.Email)
				}
				row.AssigneeNames = append(row.AssigneeNames, name)
			}
		}
	}
	for _, id := range row.CustomerIDs {
		if cu, err := tx.Customer(id); err == nil {
			row.Customers = append(row.Customers, *cu)
		}
	}
	ids, err := tx.NewestMessageIDs(conv.ID, 1)
	if err != nil {
		return row, err
	}
	if len(ids) == 1 {
		m, err := tx.Message(ids[0])
		if err != nil {
			return row, err
		}
		v := messageForCaller(c, *m)
		row.Last = &v
	}
	return row, nil
}
