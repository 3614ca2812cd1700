package imapfetch_test

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
)

// blackhole is a TCP proxy to target that, once frozen, keeps its
// connections open but passes nothing more: a link that died silently
// (a NAT that forgot it, a cable pulled), which no read ever reports.
type blackhole struct {
	ln     net.Listener
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newBlackhole(t *testing.T, target string) *blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln}
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		for _, c := range b.conns {
			c.Close()
		}
		b.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			b.mu.Lock()
			b.conns = append(b.conns, c, up)
			b.mu.Unlock()
			go b.pipe(c, up)
			go b.pipe(up, c)
		}
	}()
	return b
}

// pipe copies until frozen; then it reads and drops what comes.
func (b *blackhole) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !b.frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // io.EOF or closed
			return
		}
	}
}

func (b *blackhole) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

// A link that dies silently while the mailbox waits in IDLE is noticed by
// the watchdog (IDLE re-issued, no answer within the command limit): the
// mailbox shows error, reconnects once the network is back, and takes the
// mail that came meanwhile.
func TestWatchdogNoticesADeadLink(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.idleRefresh, e.cmdTimeout = time.Second, 2*time.Second
	bh := newBlackhole(t, e.dc.Addr())
	mb := e.mailbox(bridge.MailboxInput{Host: "127.0.0.1", Port: bh.port(), TLS: store.MailboxTLSNone}) // through the proxy
	e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	bh.frozen.Store(true)
	e.waitFor("the dead link noticed", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxError })
	if got := e.box(mb.ID).LastError; !strings.Contains(got, "no answer within 2s") {
		t.Fatalf("last_error %q: want the unanswered command named", got)
	}
	e.dc.Append("INBOX", dovecottest.Message("max@example.com", "While the link was down", "down@example.com", "hi"))
	bh.frozen.Store(false)
	e.waitFor("the message after the link came back", 30*time.Second, func() bool { return len(e.conversations()) == 1 })
	e.waitFor("idle again", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
}
