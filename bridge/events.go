package bridge

import (
	"sync"

	"github.com/deskgate/deskgate/store"
)

// Notification is what an event stream and the notification list show.
type Notification struct {
	MessageID      uint64 `json:"message_id"`
	ConversationID uint64 `json:"conversation_id"`
	At             string `json:"at"`
	Seen           bool   `json:"seen"`
	EmailStatus    string `json:"email_status"`
}

// hub fans new notifications out to the live event streams of their
// recipients. A slow subscriber loses live events (its channel is full)
// but not notifications: it replays them from the store by Last-Event-ID.
type hub struct {
	mu   sync.Mutex
	subs map[store.Recipient]map[chan store.Delivery]struct{}
}

func newHub() *hub { return &hub{subs: map[store.Recipient]map[chan store.Delivery]struct{}{}} }

func hubKey(r store.Recipient) store.Recipient { return store.Recipient{Type: r.Type, ID: r.ID} }

func (h *hub) subscribe(r store.Recipient) (chan store.Delivery, func()) {
	ch := make(chan store.Delivery, 64)
	k := hubKey(r)
	h.mu.Lock()
	if h.subs[k] == nil {
		h.subs[k] = map[chan store.Delivery]struct{}{}
	}
	h.subs[k][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[k], ch)
		if len(h.subs[k]) == 0 {
			delete(h.subs, k)
		}
		h.mu.Unlock()
	}
}

func (h *hub) publish(d store.Delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[hubKey(d.Recipient)] {
		select {
		case ch <- d:
		default: // full: the client catches up by replay
		}
	}
}

// Subscribe returns a channel of the caller's new notifications and a
// function that ends the subscription.
func (s *Notifications) Subscribe(c Caller) (<-chan store.Delivery, func()) {
	return s.hub.subscribe(callerRecipient(c))
}

// NotificationOf is the view of a delivery in lists and event streams.
func NotificationOf(d store.Delivery) Notification { return notificationOf(d) }
