package loopguard

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLimiterSlidingWindow(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(3, 10*time.Minute, c.now)
	for i := 0; i < 3; i++ {
		if !l.Allow("a") {
			t.Fatalf("event %d refused", i)
		}
		c.add(time.Minute)
	}
	if l.Allow("a") {
		t.Fatal("4th event within the window allowed")
	}
	if !l.Allow("b") {
		t.Fatal("other key refused")
	}
	c.add(7*time.Minute + time.Second) // first event (t=0) now older than 10m
	if !l.Allow("a") {
		t.Fatal("event after the oldest left the window refused")
	}
	if l.Allow("a") {
		t.Fatal("window full again but allowed")
	}
}
