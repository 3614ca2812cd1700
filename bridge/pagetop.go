package bridge

import (
	"container/heap"
	"slices"

	"github.com/deskgate/deskgate/store"
)

// pageEntry is a conversation that may enter a page of the conversation
// list, with its activity as of the listing (ConversationCursor).
type pageEntry struct {
	conv *store.Conversation
	at   int64
}

// before reports whether a comes before b in the list: newer activity
// first, ties by id ascending.
func (a pageEntry) before(b pageEntry) bool {
	if a.at != b.at {
		return a.at > b.at
	}
	return a.conv.ID < b.conv.ID
}

// topEntries keeps the max best entries it is given (max ≤ 0: all), the
// worst of them on top of a heap, so a page is chosen from a long list in
// O(n log page) and memory of one page.
type topEntries struct {
	max int
	h   entryHeap
}

func (t *topEntries) full() bool { return t.max > 0 && len(t.h) >= t.max }

// worst is the entry that leaves first; only when the heap is not empty.
func (t *topEntries) worst() pageEntry { return t.h[0] }

func (t *topEntries) add(e pageEntry) {
	if !t.full() {
		heap.Push(&t.h, e)
		return
	}
	if e.before(t.h[0]) {
		t.h[0] = e
		heap.Fix(&t.h, 0)
	}
}

// sorted returns the kept entries in list order.
func (t *topEntries) sorted() []pageEntry {
	out := slices.Clone([]pageEntry(t.h))
	slices.SortFunc(out, func(a, b pageEntry) int {
		switch {
		case a.before(b):
			return -1
		case b.before(a):
			return 1
		}
		return 0
	})
	return out
}

// entryHeap is a heap whose top is the entry that comes last in the list.
type entryHeap []pageEntry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[j].before(h[i]) }
func (h entryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(pageEntry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
