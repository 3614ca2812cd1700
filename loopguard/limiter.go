package loopguard

import (
	"sync"
	"time"
)

// Limiter is a sliding-window counter per key (flood control, SPEC §6): a key may
// have at most limit events within any window. It is safe for concurrent use and its
// memory is bounded: keys idle for a whole window are evicted, and at most maxKeys
// keys are tracked (the least recently seen are dropped first when full).
type Limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*keyWindow
	lastSweep time.Time
	maxKeys   int
}

// keyWindow holds the times of a key's accepted events within the window, oldest first.
type keyWindow struct {
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
	return &Limiter{limit: limit, window: window, now: now, keys: map[string]*keyWindow{}, maxKeys: defaultMaxKeys}
}

// Allow records an event for key and reports whether it is within the limit. It is
// false once key has had limit events within the window; refused events are not
// counted, so a key that stops sending recovers after one window.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.limit < 1 || l.window <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	w := l.keys[key]
	if w == nil {
		if len(l.keys) >= l.maxKeys {
			l.evictOldest()
		}
		w = &keyWindow{}
		l.keys[key] = w
	}
	w.last = now
	w.trim(now.Add(-l.window))
	if len(w.times) >= l.limit {
		return false
	}
	w.times = append(w.times, now)
	return true
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

// sweep evicts keys idle for a whole window, at most once per window.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	cutoff := now.Add(-l.window)
	for k, w := range l.keys {
		if !w.last.After(cutoff) {
			delete(l.keys, k)
		}
	}
}

// evictOldest drops the least recently seen key (called only when the map is full).
func (l *Limiter) evictOldest() {
	var oldest string
	var t time.Time
	first := true
	for k, w := range l.keys {
		if first || w.last.Before(t) {
			oldest, t, first = k, w.last, false
		}
	}
	delete(l.keys, oldest)
}

// Len is the number of keys currently tracked (for tests and metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
