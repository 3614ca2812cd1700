package outbound

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// lockedBuffer is a log sink safe for the queue's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An attempt is logged at the level of what happened: a deferral and a
// rejection are warnings, a delivery is not.
func TestAttemptLogLevels(t *testing.T) {
	up := startUpstream(t)
	var logs lockedBuffer
	e := newEnv(t, up.addr, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	up.answer(greylist(), reject(), nil)
	e.start()
	deferred := e.enqueue(1, "a@example.org")
	e.waitState(deferred, store.OutboundDeferred)
	rejected := e.enqueue(2, "b@example.org")
	e.waitState(rejected, store.OutboundBounced)
	sent := e.enqueue(3, "c@example.org")
	e.waitState(sent, store.OutboundSent)
	e.waitIdle()
	levelOf := func(to string) string {
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "msg=\"outbound") && strings.Contains(line, "to="+to) {
				_, after, _ := strings.Cut(line, "level=")
				lvl, _, _ := strings.Cut(after, " ")
				return lvl
			}
		}
		return "(none)"
	}
	for to, want := range map[string]string{"a@example.org": "WARN", "b@example.org": "WARN", "c@example.org": "INFO"} {
		if got := levelOf(to); got != want {
			t.Errorf("attempt to %s logged at %s, want %s\n%s", to, got, want, logs.String())
		}
	}
}
