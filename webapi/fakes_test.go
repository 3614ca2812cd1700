package webapi_test

import (
	"sync"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recordingOutbox keeps the emails the domain queues.
type recordingOutbox struct {
	mu     sync.Mutex
	emails []bridge.Email
	kicks  int
}

func (o *recordingOutbox) Enqueue(_ *store.Tx, e *bridge.Email) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emails = append(o.emails, *e)
	return uint64(len(o.emails)), nil
}

func (o *recordingOutbox) Kick() {
	o.mu.Lock()
	o.kicks++
	o.mu.Unlock()
}

func (o *recordingOutbox) sent() []bridge.Email {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]bridge.Email(nil), o.emails...)
}
