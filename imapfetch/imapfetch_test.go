package imapfetch_test

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-imap/v2"
)

// A message APPENDed to the mailbox becomes a conversation within 2 s
// (IDLE); mail that was there before the mailbox was added is not imported;
// the message is flagged \Seen only once stored; a reply threads into its
// conversation; an auto-reply is suppressed.
func TestIdleImportsNewMailOnly(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.dc.AppendAt("INBOX", time.Now().Add(-time.Hour), dovecottest.Message("old@example.com", "Old mail", "old@example.com", "from before"))
	mb := e.mailbox(bridge.MailboxInput{})
	e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	if m := e.box(mb.ID); !m.Started || m.LastUID != 1 || m.UIDValidity == 0 || m.LastSyncAt.IsZero() {
		t.Fatalf("checkpoint after the first connection: %+v", m)
	}

	start := time.Now()
	e.dc.Append("INBOX", dovecottest.Message("Carol <carol@example.com>", "Printer on fire", "c1@example.com", "It burns."))
	e.waitFor("the message in a conversation", 10*time.Second, func() bool { return len(e.conversations()) == 1 })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("APPEND to conversation took %s, want within 2 s (IDLE)", took)
	}
	log := e.inbound()
	if len(log) != 1 || log[0].Source != store.SourceIMAP || log[0].Status != bridge.InCreated || log[0].MessageID != "c1@example.com" {
		t.Fatalf("mail log %+v", log)
	}
	conv := e.conversations()[0]
	if msgs := e.messages(conv.ID); len(msgs) != 1 || msgs[0].Source != store.SourceIMAP || !strings.Contains(msgs[0].Body, "It burns.") {
		t.Fatalf("messages %+v", msgs)
	}
	e.waitFor("\\Seen on the stored message", 10*time.Second, func() bool {
		return slices.Contains(e.dc.Flags("INBOX")[2], imap.FlagSeen)
	})
	if slices.Contains(e.dc.Flags("INBOX")[1], imap.FlagSeen) {
		t.Fatal("the message from before the mailbox was added was flagged \\Seen")
	}

	e.dc.Append("INBOX",
		dovecottest.Message("Carol <carol@example.com>", "Re: Printer on fire", "c2@example.com", "Still burning.", "In-Reply-To: <c1@example.com>", "References: <c1@example.com>"),
		dovecottest.Message("Carol <carol@example.com>", "Out of office", "c3@example.com", "I am away.", "Auto-Submitted: auto-replied", "In-Reply-To: <c1@example.com>"))
	e.waitFor("reply and auto-reply in the mail log", 20*time.Second, func() bool { return len(e.inbound()) == 3 })
	log = e.inbound()
	if log[1].Status != bridge.InThreaded || log[1].ConversationID != conv.ID {
		t.Fatalf("reply: %+v, want threaded into conversation %d", log[1], conv.ID)
	}
	if log[2].Status != bridge.InSuppressed || log[2].Class != "autoreply" {
		t.Fatalf("auto-reply: %+v, want suppressed", log[2])
	}
	if n := len(e.conversations()); n != 1 {
		t.Fatalf("%d conversations, want 1", n)
	}
	if msgs := e.messages(conv.ID); len(msgs) != 2 {
		t.Fatalf("%d messages in the conversation, want 2 (the auto-reply is not posted)", len(msgs))
	}
	e.waitFor("last_uid 4", 10*time.Second, func() bool { return e.box(mb.ID).LastUID == 4 })
}

// A wrong password shows state error with the server's words; fixing
// nothing, it keeps retrying with backoff and does not flood the log.
func TestWrongPasswordShowsError(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	mb := e.mailbox(bridge.MailboxInput{Password: "wrong"})
	e.run("node-a")
	e.waitFor("state error", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxError })
	got := e.box(mb.ID).LastError
	if !strings.Contains(got, "login as") || !strings.Contains(got, dovecottest.User) || !strings.Contains(strings.ToLower(got), "authentication failed") {
		t.Fatalf("last_error %q: want the login refusal in words", got)
	}
	if strings.Contains(got, "wrong") {
		t.Fatalf("last_error %q shows the password", got)
	}
}

// Where the server offers no IDLE, the mailbox is polled every
// poll_interval.
func TestPolledWithoutIdle(t *testing.T) {
	e := newEnv(t, dovecottest.Options{NoIdle: true})
	mb := e.mailbox(bridge.MailboxInput{PollInterval: "5s", After: "delete"})
	e.run("node-a")
	e.waitFor("state polling", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxPolling })
	e.dc.Append("INBOX", dovecottest.Message("dave@example.com", "Polled", "p1@example.com", "hello"))
	e.waitFor("the polled message in a conversation", 30*time.Second, func() bool { return len(e.conversations()) == 1 })
	e.waitFor("the message deleted after storing (after: delete)", 20*time.Second, func() bool { return len(e.dc.Flags("INBOX")) == 0 })
}

// A Dovecot restart cuts the connection; the mailbox reconnects (state
// error in between, then idle again) and takes the mail that came meanwhile.
func TestDovecotRestartSurvived(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.dc.Create("Done")
	mb := e.mailbox(bridge.MailboxInput{After: "move:Done"})
	e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	e.dc.Restart()
	e.dc.Append("INBOX", dovecottest.Message("erin@example.com", "After restart", "r1@example.com", "hi"))
	e.waitFor("the message after the restart in a conversation", 60*time.Second, func() bool { return len(e.conversations()) == 1 })
	e.waitFor("idle again", 30*time.Second, func() bool { m := e.box(mb.ID); return m.State == store.MailboxIdle && m.LastError == "" })
	e.waitFor("the message moved to Done", 20*time.Second, func() bool { return len(e.dc.Flags("Done")) == 1 && len(e.dc.Flags("INBOX")) == 0 })
}

// Two nodes run fetchers on one store: one holds the mailbox at a time,
// the other takes over when the first stops, and a burst is stored once
// each, none lost.
func TestTwoNodesExactlyOnce(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	mb := e.mailbox(bridge.MailboxInput{})
	stopA := e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	e.run("node-b")
	const n = 60
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := e.dc.Client()
		defer c.Close()
		for i := range n {
			if err := dovecottest.AppendWith(c, "INBOX", dovecottest.Message("f"+itoa(i)+"@example.com", "Burst "+itoa(i), "b"+itoa(i)+"@example.com", "x")); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	e.waitFor("a third of the burst", 60*time.Second, func() bool { return len(e.inbound()) >= n/3 })
	stopA() // node-b takes over once node-a's lease is given up
	wg.Wait()
	e.waitFor("the whole burst", 120*time.Second, func() bool { return len(e.inbound()) >= n })
	time.Sleep(500 * time.Millisecond) // a double would show now
	log := e.inbound()
	seen := map[string]bool{}
	for _, l := range log {
		if seen[l.MessageID] || l.Status != bridge.InCreated {
			t.Fatalf("entry %+v: doubled or not created", l)
		}
		seen[l.MessageID] = true
	}
	if len(log) != n || len(e.conversations()) != n {
		t.Fatalf("%d log entries, %d conversations, want %d", len(log), len(e.conversations()), n)
	}
	if m := e.box(mb.ID); m.LeaseNode != "node-b" {
		t.Fatalf("lease held by %q, want node-b", m.LeaseNode)
	}
}

// A changed UIDVALIDITY (RFC 3501 §2.3.1.1) re-reads the folder without
// importing again what was imported: dedupe by Message-ID and sender, and
// by content for mail without a Message-ID; only the new message is new.
func TestUIDValidityChangeDedupes(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	mb := e.mailbox(bridge.MailboxInput{})
	stop := e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	noID := []byte("From: frank@example.com\r\nTo: help@example.com\r\nSubject: No Message-ID\r\n\r\nbare\r\n")
	e.dc.Append("INBOX", dovecottest.Message("gina@example.com", "With id", "v1@example.com", "one"), noID)
	e.waitFor("two conversations", 20*time.Second, func() bool { return len(e.conversations()) == 2 })
	e.waitFor("checkpoint at 2", 10*time.Second, func() bool { return e.box(mb.ID).LastUID == 2 })
	stop()
	old := e.box(mb.ID).UIDValidity
	e.dc.ResetUIDValidity()
	e.dc.Append("INBOX", dovecottest.Message("hank@example.com", "New one", "v3@example.com", "three"))
	e.run("node-a")
	e.waitFor("three conversations", 30*time.Second, func() bool { return len(e.conversations()) == 3 })
	e.waitFor("checkpoint on the new UIDVALIDITY", 20*time.Second, func() bool {
		m := e.box(mb.ID)
		return m.UIDValidity != old && m.LastUID == 3 && m.State == store.MailboxIdle
	})
	if log := e.inbound(); len(log) != 3 || log[2].MessageID != "v3@example.com" {
		t.Fatalf("mail log %+v: want the two old messages once and the new one", log)
	}
	if n := len(e.conversations()); n != 3 {
		t.Fatalf("%d conversations, want 3", n)
	}
}

// Implicit TLS (RFC 8314) and STARTTLS both connect and wait with IDLE
// when the server's certificate verifies; one that does not verify shows
// state error with a last_error that says TLS.
func TestTLSModes(t *testing.T) {
	t.Run("verified", func(t *testing.T) {
		e := newEnv(t, dovecottest.Options{TLS: true})
		implicit := e.mailbox(bridge.MailboxInput{Host: "127.0.0.1", Port: e.dc.TLSPort, TLS: store.MailboxTLSImplicit})
		starttls := e.mailbox(bridge.MailboxInput{Host: "localhost", Port: e.dc.Port, TLS: store.MailboxTLSStartTLS})
		e.runTLS("node-a", &tls.Config{RootCAs: e.dc.CertPool})
		for _, id := range []uint64{implicit.ID, starttls.ID} {
			e.waitFor("state idle over TLS", 30*time.Second, func() bool { return e.box(id).State == store.MailboxIdle })
		}
		e.dc.Append("INBOX", dovecottest.Message("ivy@example.com", "Over TLS", "t1@example.com", "secret"))
		// Both mailboxes read the same folder: the first stores it, the
		// second finds the same Message-ID from the same sender.
		e.waitFor("both mailboxes took it", 20*time.Second, func() bool { return len(e.inbound()) == 2 })
		if n := len(e.conversations()); n != 1 {
			t.Fatalf("%d conversations, want 1 (the second copy is a duplicate)", n)
		}
	})
	t.Run("unverified", func(t *testing.T) {
		e := newEnv(t, dovecottest.Options{TLS: true})
		mb := e.mailbox(bridge.MailboxInput{Host: "127.0.0.1", Port: e.dc.TLSPort, TLS: store.MailboxTLSImplicit})
		e.run("node-a") // the system roots: the test CA is unknown
		e.waitFor("state error", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxError })
		if got := e.box(mb.ID).LastError; !strings.Contains(got, "TLS") || !strings.Contains(got, "certificate") {
			t.Fatalf("last_error %q: want the TLS failure in words", got)
		}
	})
}

// A message over the size limit is never read: it is logged as rejected
// with its size, left in the folder untouched (not \Seen), and the
// messages around it are imported.
func TestOversizeMessageLeftInFolder(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.maxBytes = 4000
	mb := e.mailbox(bridge.MailboxInput{})
	e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	e.dc.Append("INBOX",
		dovecottest.Message("jo@example.com", "Big", "big@example.com", strings.Repeat("x", 8000)),
		dovecottest.Message("jo@example.com", "Small", "small@example.com", "fits"))
	e.waitFor("both handled", 20*time.Second, func() bool { return len(e.inbound()) == 2 && e.box(mb.ID).LastUID == 2 })
	log := e.inbound()
	if log[0].Status != bridge.InRejected || !strings.Contains(log[0].Detail, "more than the 4000 bytes") || log[0].Source != store.SourceIMAP {
		t.Fatalf("oversized: %+v", log[0])
	}
	if log[1].Status != bridge.InCreated || log[1].MessageID != "small@example.com" {
		t.Fatalf("small: %+v", log[1])
	}
	e.waitFor("the small one \\Seen", 10*time.Second, func() bool { return slices.Contains(e.dc.Flags("INBOX")[2], imap.FlagSeen) })
	if slices.Contains(e.dc.Flags("INBOX")[1], imap.FlagSeen) {
		t.Fatal("the oversized message was flagged \\Seen: a person would not notice it")
	}
}

// A node that died holding a mailbox's lease (it never gave it up) keeps
// the mailbox from others only until the lease runs out; then another
// node takes it over and imports what arrived meanwhile.
func TestDeadNodesLeaseTakenOver(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	mb := e.mailbox(bridge.MailboxInput{})
	until := time.Now().Add(3 * time.Second)
	if _, ok, err := e.svc.Mailboxes.ClaimMailbox(context.Background(), mb.ID, "node-dead", time.Until(until)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	e.run("node-b")
	time.Sleep(time.Second)
	if m := e.box(mb.ID); m.LeaseNode != "node-dead" || m.Started {
		t.Fatalf("node-b worked the mailbox while another node's lease ran: %+v", m)
	}
	e.waitFor("node-b takes the lease over", 30*time.Second, func() bool {
		m := e.box(mb.ID)
		return m.LeaseNode == "node-b" && m.State == store.MailboxIdle
	})
	if time.Now().Before(until) {
		t.Fatal("the lease was taken before it ran out")
	}
	e.dc.Append("INBOX", dovecottest.Message("kim@example.com", "Taken over", "k1@example.com", "hi"))
	e.waitFor("the message in a conversation", 20*time.Second, func() bool { return len(e.conversations()) == 1 })
}

// recordingOutbox keeps the emails the domain queues.
type recordingOutbox struct {
	mu     sync.Mutex
	emails []bridge.Email
}

func (o *recordingOutbox) Enqueue(_ bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emails = append(o.emails, *e)
	return uint64(len(o.emails)), nil
}

func (o *recordingOutbox) Kick() {}

// A customer's reply to the email deskgate sent her (In-Reply-To its
// Message-ID only), appended to the mailbox, threads into the
// conversation that email was about.
func TestReplyToDeskgateEmailThreads(t *testing.T) {
	clock := clocktest.New(time.Now())
	out := &recordingOutbox{}
	e := newEnvWith(t, dovecottest.Options{}, clock, out)
	ctx := context.Background()
	if _, err := e.svc.Directory.Bootstrap(ctx, "admin-token"); err != nil {
		t.Fatal(err)
	}
	staff, err := e.svc.Accounts.Authenticate(ctx, "admin-token")
	if err != nil {
		t.Fatal(err)
	}
	mb := e.mailbox(bridge.MailboxInput{})
	e.run("node-a")
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	e.dc.Append("INBOX", dovecottest.Message("Carol <carol@example.com>", "Printer on fire", "first@example.com", "It burns."))
	e.waitFor("the conversation", 20*time.Second, func() bool { return len(e.conversations()) == 1 })
	conv := e.conversations()[0]
	if _, err := e.svc.Conversations.PostMessage(ctx, staff, conv.ID, bridge.NewMessage{Body: "Unplug it, please."}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute) // past the unseen delay: Carol is emailed
	if err := e.svc.Notifications.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	if len(out.emails) != 1 || out.emails[0].Recipient.Email != "carol@example.com" {
		out.mu.Unlock()
		t.Fatalf("emails %+v, want one to Carol", out.emails)
	}
	sent, replyTo := out.emails[0].MessageID, out.emails[0].ReplyTo
	out.mu.Unlock()
	e.dc.Append("INBOX", dovecottest.Message("Carol <carol@example.com>", "Re: Printer on fire", "reply@example.com",
		"Done, thanks.\r\n\r\nOn Monday support wrote:\r\n> Unplug it, please.", "In-Reply-To: <"+sent+">"))
	e.waitFor("the reply in the mail log", 20*time.Second, func() bool { return len(e.inbound()) == 2 })
	if got := e.inbound()[1]; got.Status != bridge.InThreaded || got.ConversationID != conv.ID {
		t.Fatalf("reply to deskgate's email <%s>: %+v, want threaded into conversation %d", sent, got, conv.ID)
	}
	msgs := e.messages(conv.ID)
	if len(msgs) != 3 || msgs[2].Body != "Done, thanks." || msgs[2].Source != store.SourceIMAP {
		t.Fatalf("messages %+v", msgs)
	}
	// A mail to the reply address (delivered into this mailbox, as a
	// provider's catch-all would) threads by its token alone.
	raw := "From: Carol <carol@example.com>\r\nTo: <" + replyTo + ">\r\nSubject: one more thing\r\nMessage-ID: <token@example.com>\r\n\r\nAlso the scanner.\r\n"
	e.dc.Append("INBOX", []byte(raw))
	e.waitFor("the token reply in the mail log", 20*time.Second, func() bool { return len(e.inbound()) == 3 })
	if got := e.inbound()[2]; got.Status != bridge.InThreaded || got.ConversationID != conv.ID || !strings.Contains(got.Detail, "reply token") {
		t.Fatalf("mail to %s: %+v, want threaded by its reply token", replyTo, got)
	}
}

// A folder that does not exist and a server that does not answer show
// error with the reason in words, and the other mailbox carries on.
func TestFailuresInWords(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	gone := e.mailbox(bridge.MailboxInput{Folder: "Vanished"})
	// A port nothing listens on (taken and released).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	down, err := e.svc.Mailboxes.CreateMailbox(context.Background(), admin, bridge.MailboxInput{Host: "127.0.0.1", Port: deadPort,
		TLS: store.MailboxTLSNone, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	good := e.mailbox(bridge.MailboxInput{})
	e.run("node-a")
	e.waitFor("both broken mailboxes in error", 30*time.Second, func() bool {
		return e.box(gone.ID).State == store.MailboxError && e.box(down.ID).State == store.MailboxError
	})
	if got := e.box(gone.ID).LastError; !strings.Contains(got, `folder "Vanished" cannot be opened`) {
		t.Errorf("vanished folder: last_error %q", got)
	}
	if got := e.box(down.ID).LastError; !strings.Contains(got, "cannot connect to 127.0.0.1:") || !strings.Contains(got, "refused") {
		t.Errorf("server down: last_error %q", got)
	}
	e.waitFor("the good mailbox idle", 30*time.Second, func() bool { return e.box(good.ID).State == store.MailboxIdle })
}

// import_since selects from the mail already in the folder by its date;
// mail arriving later is imported whatever its internal date (a message
// moved in from another folder keeps its old one). Backlog mail left out
// is left untouched.
func TestImportSince(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	old := time.Now().AddDate(0, 0, -30)
	e.dc.AppendAt("INBOX", old, dovecottest.Message("lee@example.com", "Ancient", "ancient@example.com", "old"))
	e.dc.Append("INBOX", dovecottest.Message("lee@example.com", "Recent", "recent@example.com", "new"))
	mb := e.mailbox(bridge.MailboxInput{ImportSince: time.Now().AddDate(0, 0, -2).Format(time.DateOnly)})
	e.run("node-a")
	e.waitFor("the recent backlog message", 30*time.Second, func() bool { return len(e.inbound()) == 1 })
	e.waitFor("idle past the backlog", 20*time.Second, func() bool {
		m := e.box(mb.ID)
		return m.State == store.MailboxIdle && m.LastUID == 2
	})
	if got := e.inbound()[0].MessageID; got != "recent@example.com" {
		t.Fatalf("imported %s, want only the message since import_since", got)
	}
	e.dc.AppendAt("INBOX", old, dovecottest.Message("lee@example.com", "Moved in", "moved@example.com", "old date, new here"))
	e.waitFor("the moved-in message", 20*time.Second, func() bool { return len(e.inbound()) == 2 })
	if got := e.inbound()[1].MessageID; got != "moved@example.com" {
		t.Fatalf("imported %s, want the moved-in message", got)
	}
	if slices.Contains(e.dc.Flags("INBOX")[1], imap.FlagSeen) {
		t.Fatal("backlog mail import_since left out was flagged \\Seen")
	}
}

// The backlog import_since reads is old mail taken at once, not a flood:
// the flood limit counts only mail that arrives live.
func TestBacklogIsNotAFlood(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	e.svc.Inbound.SetInbound(bridge.InboundConfig{FloodLimit: 2, FloodWindow: time.Hour})
	for i := range 4 {
		e.dc.Append("INBOX", dovecottest.Message("nora@example.com", "Backlog "+itoa(i), "nb"+itoa(i)+"@example.com", "old"))
	}
	mb := e.mailbox(bridge.MailboxInput{ImportSince: time.Now().AddDate(0, 0, -1).Format(time.DateOnly)})
	e.run("node-a")
	e.waitFor("the backlog imported", 30*time.Second, func() bool { return len(e.inbound()) == 4 })
	e.waitFor("state idle", 30*time.Second, func() bool { return e.box(mb.ID).State == store.MailboxIdle })
	for i := range 3 {
		e.dc.Append("INBOX", dovecottest.Message("nora@example.com", "Live "+itoa(i), "nl"+itoa(i)+"@example.com", "new"))
	}
	e.waitFor("the live mail handled", 30*time.Second, func() bool { return len(e.inbound()) == 7 })
	var statuses []string
	for _, l := range e.inbound() {
		statuses = append(statuses, l.Status)
	}
	want := []string{"created", "created", "created", "created", "created", "created", "suppressed"}
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v (the backlog not counted, the third live mail a flood)", statuses, want)
	}
}
