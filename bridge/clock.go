package bridge

import "time"

// Clock is the time source of the domain, so tests of the one-minute rule
// do not sleep a minute.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
