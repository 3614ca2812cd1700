package loopguard

import (
	"container/list"
	"sync"
	"time"
)

// Limiter is a sliding-window counter per key (flood control, SPEC §6): a key may
// have at most limit events within any window. It is safe for concurrent use and its
// memory is bounded: keys are kept in least-recently-seen order, keys idle for a
// whole window are evicted as new events arrive, and at most maxKeys keys are
// tracked (the least recently seen is dropped when full). Every operation is O(1)
// amortised plus the key's own events.
type Limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	keys    map[string]*list.Element // of *keyWindow
	lru     *list.List               // front = most recently seen
	maxKeys int
}

// keyWindow holds the times of a key's accepted events within the window, oldest
// first, and when the key was last seen.
type keyWindow struct {
	key   string
	times []time.Time
	last  time.Time
}

// defaultMaxKeys bounds the number of keys a Limiter tracks.
const defaultMaxKeys = 100_000

// NewLimiter returns a Limiter allowing limit events per key within window. now is the
// clock (time.Now when nil); tests inject a fake one. A limit below 1 (or a
// non-positive window) disables the limiter: Allow is always true, matching
// DESKGATE_FLOOD_LIMIT=0.
func NewLimiter(limit int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{limit: limit, window: window, now: now,
		keys: map[string]*list.Element{}, lru: list.New(), maxKeys: defaultMaxKeys}
}

// Allow records an event for key and reports whether it is within the limit. It is
// false once key has had limit events within the window; refused events are not
// counted, so a key that stops sending recovers one window after its last accepted
// event.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.limit < 1 || l.window <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := now.Add(-l.window)
	l.evictIdle(cutoff)
	w := l.touch(key, now)
	w.trim(cutoff)
	if len(w.times) >= l.limit {
		return false
	}
	w.times = append(w.times, now)
	return true
}

// touch returns key's window, created if new, and marks it most recently seen.
func (l *Limiter) touch(key string, now time.Time) *keyWindow {
	if e, ok := l.keys[key]; ok {
		l.lru.MoveToFront(e)
		w := e.Value.(*keyWindow)
		w.last = now
		return w
	}
	for len(l.keys) >= l.maxKeys && l.lru.Len() > 0 {
		l.remove(l.lru.Back())
	}
	w := &keyWindow{key: key, last: now}
	l.keys[key] = l.lru.PushFront(w)
	return w
}

// evictIdle drops, least recently seen first, the keys not seen since cutoff.
func (l *Limiter) evictIdle(cutoff time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if e.Value.(*keyWindow).last.After(cutoff) {
			return
		}
		l.remove(e)
	}
}

// remove forgets one key.
func (l *Limiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*keyWindow).key)
	l.lru.Remove(e)
}

// trim drops the events at or before cutoff.
func (w *keyWindow) trim(cutoff time.Time) {
	i := 0
	for i < len(w.times) && !w.times[i].After(cutoff) {
		i++
	}
	if i > 0 {
		w.times = append(w.times[:0], w.times[i:]...)
	}
}

// Len is the number of keys currently tracked (for tests and metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
