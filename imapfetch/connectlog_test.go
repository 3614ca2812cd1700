package imapfetch_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
)

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A mailbox that cannot sign in is a warning, never logged as connected;
// one that does is logged connected once it has opened its folder.
func TestConnectedLoggedOnlyWhenConnected(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	e.log = log
	e.svc = bridge.New(e.st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test", TokenKey: make([]byte, 32), UnseenDelay: time.Minute}, nil, log)
	bad := e.mailbox(bridge.MailboxInput{Password: "wrong"})
	e.run("node-a")
	e.waitFor("state error", 30*time.Second, func() bool { return e.box(bad.ID).State == store.MailboxError })
	text := logs.String()
	if strings.Contains(text, "mailbox connected") {
		t.Fatalf("a mailbox whose login was refused was logged connected:\n%s", text)
	}
	if !strings.Contains(text, `level=WARN msg="mailbox error"`) {
		t.Fatalf("the refused login is not a warning:\n%s", text)
	}
	good := e.mailbox(bridge.MailboxInput{})
	e.waitFor("connected", 30*time.Second, func() bool { return e.box(good.ID).State == store.MailboxIdle })
	if !strings.Contains(logs.String(), `msg="mailbox connected"`) {
		t.Fatalf("the working mailbox was not logged connected:\n%s", logs.String())
	}
}
