package loopguard

import (
	"strconv"
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

func TestLimiterDisabled(t *testing.T) {
	l := NewLimiter(0, time.Minute, nil)
	for i := 0; i < 100; i++ {
		if !l.Allow("a") {
			t.Fatal("disabled limiter refused")
		}
	}
	var nilL *Limiter
	if !nilL.Allow("a") {
		t.Fatal("nil limiter refused")
	}
}

// Refused events do not count: a sender that keeps trying recovers one window
// after its last accepted event, not after it stops trying.
func TestLimiterRefusedEventsDoNotExtend(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(2, time.Hour, c.now)
	l.Allow("k")
	l.Allow("k")
	for i := 0; i < 10; i++ {
		c.add(5 * time.Minute)
		if l.Allow("k") {
			t.Fatalf("allowed at +%d×5m", i+1)
		}
	}
	c.add(10*time.Minute + time.Nanosecond)
	if !l.Allow("k") {
		t.Fatal("not allowed one window after the accepted events")
	}
}

// Idle keys are evicted, and the number of keys never exceeds the bound.
func TestLimiterBoundedMemory(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(1, time.Minute, c.now)
	for i := 0; i < 1000; i++ {
		l.Allow(pathKey(i))
	}
	if l.Len() != 1000 {
		t.Fatalf("keys %d", l.Len())
	}
	c.add(2 * time.Minute)
	l.Allow("fresh")
	if l.Len() != 1 {
		t.Fatalf("idle keys not evicted: %d left", l.Len())
	}
	l.maxKeys = 50
	for i := 0; i < 500; i++ {
		c.add(time.Millisecond)
		l.Allow(pathKey(i))
		if l.Len() > 50 {
			t.Fatalf("%d keys, bound 50", l.Len())
		}
	}
	// The most recent key is still limited (not evicted).
	if l.Allow(pathKey(499)) {
		t.Fatal("most recent key evicted")
	}
}

func pathKey(i int) string { return "sender-" + strconv.Itoa(i) + "@example.com" }

// Concurrent Allow calls never admit more than the limit.
func TestLimiterConcurrent(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(100, time.Hour, c.now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if l.Allow("shared") {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
				l.Allow(pathKey(i))
			}
		}()
	}
	wg.Wait()
	if allowed != 100 {
		t.Fatalf("allowed %d of 400, want exactly 100", allowed)
	}
}
