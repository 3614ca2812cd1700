package imapfetch_test

import (
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-imap/v2"
)

// The first mail of a new mailbox, arriving after the mailbox was added
// but before deskgate's first connection, is imported: the checkpoint
// starts from the moment the mailbox was added, not from the folder's
// highest UID at the first connection. Mail from before that moment (an
// hour earlier, the same day: SEARCH SINCE alone could not tell) stays
// untouched.
func TestFirstMailBeforeFirstConnection(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.dc.AppendAt("INBOX", time.Now().Add(-time.Hour), dovecottest.Message("old@example.com", "From before", "before@example.com", "already here"))
	mb := e.mailbox(bridge.MailboxInput{})
	e.dc.Append("INBOX", dovecottest.Message("Olga <olga@example.com>", "My first request", "first@example.com", "Hello?"))
	e.run("node-a")
	e.waitFor("the first mail imported", 30*time.Second, func() bool { return len(e.inbound()) == 1 })
	e.waitFor("idle past it", 20*time.Second, func() bool {
		m := e.box(mb.ID)
		return m.State == store.MailboxIdle && m.LastUID == 2
	})
	if got := e.inbound()[0].MessageID; got != "first@example.com" {
		t.Fatalf("imported %s, want only the mail that came after the mailbox was added", got)
	}
	e.waitFor("\\Seen on the first mail", 10*time.Second, func() bool { return slices.Contains(e.dc.Flags("INBOX")[2], imap.FlagSeen) })
	if slices.Contains(e.dc.Flags("INBOX")[1], imap.FlagSeen) {
		t.Fatal("mail from before the mailbox was added was flagged \\Seen")
	}
	e.dc.Append("INBOX", dovecottest.Message("olga@example.com", "Live", "live@example.com", "now"))
	e.waitFor("live mail", 20*time.Second, func() bool { return len(e.inbound()) == 2 })
}

// A mailbox deskgate cannot reach from the start (here a link that passes
// nothing: no greeting) is in error for a while; mail that arrives
// meanwhile is imported once the link works, not skipped by a checkpoint
// set at the first successful connection.
func TestMailDuringErrorsBeforeFirstConnection(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.cmdTimeout = 2 * time.Second
	bh := newBlackhole(t, e.dc.Addr())
	bh.frozen.Store(true)
	mb := e.mailbox(bridge.MailboxInput{Host: "127.0.0.1", Port: bh.port(), TLS: store.MailboxTLSNone})
	e.run("node-a")
	e.waitFor("state error", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxError })
	e.dc.Append("INBOX", dovecottest.Message("paul@example.com", "While you could not connect", "meanwhile@example.com", "anyone?"))
	if m := e.box(mb.ID); m.Started {
		t.Fatalf("the mailbox started through a dead link: %+v", m)
	}
	bh.frozen.Store(false)
	e.waitFor("the mail that came during the errors", 60*time.Second, func() bool { return len(e.inbound()) == 1 })
	if got := e.inbound()[0].MessageID; got != "meanwhile@example.com" {
		t.Fatalf("imported %s", got)
	}
	e.waitFor("idle", 30*time.Second, func() bool { m := e.box(mb.ID); return m.State == store.MailboxIdle && m.LastUID == 1 })
}
