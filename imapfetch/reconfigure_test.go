package imapfetch_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
)

// PATCH /mailboxes/{id} (SPEC §14): a new password ends the error state,
// and a new folder moves a working session over to it at once.
func TestChangedSettingsReconnect(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.dc.Create("Support")
	mb := e.mailbox(bridge.MailboxInput{Password: "wrong"})
	e.run("node-a")
	e.waitFor("state error", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxError })

	pw := dovecottest.Password
	if _, err := e.svc.Mailboxes.UpdateMailbox(context.Background(), admin, mb.ID, bridge.MailboxPatch{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("state idle with the new password", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })

	folder := "Support"
	m, err := e.svc.Mailboxes.UpdateMailbox(context.Background(), admin, mb.ID, bridge.MailboxPatch{Folder: &folder})
	if err != nil || m.Folder != "Support" || m.Generation != 2 {
		t.Fatalf("patched %+v %v", m, err)
	}
	e.waitFor("the new folder's checkpoint", 20*time.Second, func() bool { b := e.box(mb.ID); return b.Started && b.State == store.MailboxIdle })
	e.dc.Append("Support", dovecottest.Message("carol@example.com", "In the new folder", "n1@example.com", "hello"))
	e.waitFor("mail of the new folder imported", 20*time.Second, func() bool { return len(e.conversations()) == 1 })

	bad := "move:Support"
	if _, err := e.svc.Mailboxes.UpdateMailbox(context.Background(), admin, mb.ID, bridge.MailboxPatch{After: &bad}); bridge.KindOf(err) != bridge.KindInvalid {
		t.Fatalf("after move: to the fetched folder: %v", err)
	}
}
