package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Populate writes a bit of every kind of record into st: people, a
// token, settings, work, messages with an attachment, the Message-ID
// index, the mail log with raw messages, deliveries (seen and not), a
// pending timer, queued and final outbound emails with their links, a
// bounced address, outbound cap entries and an IMAP mailbox.
func Populate(t testing.TB, st store.Store) {
	t.Helper()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := st.Update(context.Background(), func(tx store.Tx) error {
		u := &store.User{Email: "ann@example.com", Name: "Ann", Role: store.RoleAdmin, CreatedAt: at}
		c := &store.Customer{Email: "carol@example.com", Name: "Carol", CreatedAt: at}
		for _, err := range []error{tx.CreateUser(u), tx.CreateCustomer(c),
			tx.PutToken("tok-ann", store.Principal{Kind: store.KindUser, ID: u.ID, Minted: store.MintedSession}),
			tx.PutSettings(u.ID, store.Settings{ConversationVisibility: "followed", FromCustomers: "all", FromUsersAndBot: "none"})} {
			if err != nil {
				return err
			}
		}
		p := &store.Project{Name: "Support", Followers: []uint64{u.ID}, CreatedAt: at}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Title: "Printer", Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: at}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		conv := &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: store.KindExternal, Subject: "Printer",
			Followers: []uint64{u.ID}, CustomerIDs: []uint64{c.ID}, CreatedAt: at}
		if err := tx.CreateConversation(conv); err != nil {
			return err
		}
		r := store.Recipient{Type: store.KindUser, ID: u.ID, Email: u.Email, Name: u.Name}
		rc := store.Recipient{Type: store.KindCustomer, ID: c.ID, Email: c.Email}
		for i := range 3 {
			m := &store.Message{ConversationID: conv.ID, Kind: conv.Kind, Body: fmt.Sprint("message ", i), Source: store.SourceSMTP,
				Author: store.Author{Type: store.AuthorCustomer, ID: c.ID, Email: c.Email}, EmailMessageID: fmt.Sprintf("m%d@example.com", i),
				Attachments: []store.Attachment{}, CreatedAt: at.Add(time.Duration(i) * time.Minute)}
			var data [][]byte
			if i == 1 {
				m.Attachments = []store.Attachment{{Filename: "log.txt", ContentType: "text/plain", Size: 4}}
				data = [][]byte{[]byte("boom")}
			}
			if err := tx.CreateMessage(m, data); err != nil {
				return err
			}
			if err := tx.PutMessageRef(m.EmailMessageID, store.MessageRef{ConversationID: conv.ID, MessageID: m.ID, Sender: c.Email}); err != nil {
				return err
			}
			e := &store.MailLogEntry{Direction: store.DirInbound, At: m.CreatedAt, From: c.Email, To: "support@support.test",
				Subject: "Printer", MessageID: m.EmailMessageID, Status: "threaded", ConversationID: conv.ID, MessageIDInt: m.ID}
			if err := tx.AddMailLog(e, []byte("raw "+m.EmailMessageID)); err != nil {
				return err
			}
			d := &store.Delivery{MessageID: m.ID, ConversationID: conv.ID, Recipient: r, NotifiedAt: m.CreatedAt, EmailStatus: store.EmailPending}
			if i == 0 {
				seen := m.CreatedAt.Add(time.Second)
				d.SeenAt, d.EmailStatus = &seen, store.EmailSkipped
			}
			if err := tx.AddDelivery(d); err != nil {
				return err
			}
		}
		if err := tx.SetTimer(r, conv.ID, at.Add(time.Hour)); err != nil {
			return err
		}
		for i, state := range []string{store.OutboundDeferred, store.OutboundSent} {
			id, err := tx.NewOutboundID()
			if err != nil {
				return err
			}
			o := &store.OutboundEmail{ID: id, Recipient: rc.Email, EnvelopeFrom: "bounce+x@support.test", MessageID: fmt.Sprintf("dg.%d@support.test", i),
				ConversationID: conv.ID, State: state, QueuedAt: at, Attempts: i + 1, NextAttempt: at.Add(5 * time.Minute), LastResult: "451 4.7.1 later"}
			if state == store.OutboundSent {
				o.DoneAt = at.Add(time.Minute)
			}
			if err := tx.PutOutbound(o, []byte("raw email")); err != nil {
				return err
			}
			if err := tx.LinkEmail(id, &store.Delivery{MessageID: 2, Recipient: r}); err != nil {
				return err
			}
			if err := tx.RecordOutboundEmail(rc.Email, conv.ID, at.Add(time.Duration(i)*time.Second)); err != nil {
				return err
			}
		}
		mb := &store.Mailbox{Host: "imap.example.com", Port: 993, TLS: store.MailboxTLSImplicit, Username: "help", Password: "pw",
			Folder: "INBOX", After: "seen", PollInterval: time.Minute, CreatedAt: at, Started: true, UIDValidity: 7, LastUID: 42, AfterUID: 42,
			State: store.MailboxIdle, LeaseNode: "node-a", LeaseUntil: at.Add(time.Minute)}
		if err := tx.CreateMailbox(mb); err != nil {
			return err
		}
		if err := tx.CreateWebhook(&store.Webhook{URL: "https://hooks.example.com/dg", Events: []string{"message.created"}, Enabled: true, Secret: "whsec_c2VjcmV0", CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.PutTemplate(&store.TemplateRecord{Name: "closed_notice", Kind: "custom", Subject: "Closed", Text: "{{.Item.Title}}", Edited: true, Enabled: true, UpdatedAt: at}); err != nil {
			return err
		}
		if err := tx.CreateAutomation(&store.Automation{Name: "close", Event: "item.status_changed", Conditions: map[string]string{"to": "closed"},
			Actions: []store.AutomationAction{{Type: "post_message", Conversation: "external", Template: "closed_notice"}}, Enabled: true, CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.AddBuiltinRuns(1, 5); err != nil {
			return err
		}
		if err := tx.PutBouncedAddress(store.BouncedAddress{Address: "gone@example.org", Status: "5.1.1", At: at, Until: at.Add(24 * time.Hour)}); err != nil {
			return err
		}
		return populateAccounts(tx, u.ID, p.ID, at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ExportAll returns every record of st, normalised (JSON documents
// re-encoded with sorted keys) and sorted, so two stores holding the same
// installation compare equal whatever their backends.
func ExportAll(t testing.TB, st store.Store) []store.Record {
	t.Helper()
	var out []store.Record
	err := st.(store.Copier).Export(context.Background(), func(r store.Record) error {
		if r.Doc != nil {
			var v any
			if err := json.Unmarshal(r.Doc, &v); err != nil {
				return err
			}
			r.Doc, _ = json.Marshal(v)
		}
		if len(r.Blob) == 0 {
			r.Blob = nil
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return string(a.Key)+string(a.Doc) < string(b.Key)+string(b.Doc)
	})
	return out
}

// Copy copies every record of from into to, in batches.
func Copy(t testing.TB, from, to store.Store) {
	t.Helper()
	var batch []store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := to.(store.Copier).Import(context.Background(), batch)
		batch = batch[:0]
		return err
	}
	err := from.(store.Copier).Export(context.Background(), func(r store.Record) error {
		batch = append(batch, r)
		if len(batch) == 7 { // small, so batches split kinds
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// CheckCopy copies a populated from into the empty to and checks that
// to then holds the same records, and that what to allocates next does
// not collide with what was copied.
func CheckCopy(t *testing.T, from, to store.Store) {
	Populate(t, from)
	want := ExportAll(t, from)
	kinds := map[string]bool{}
	for _, r := range want {
		kinds[r.Kind] = true
	}
	for _, k := range store.RecordKinds {
		if !kinds[k] {
			t.Errorf("the populated store has no %s record", k)
		}
	}
	Copy(t, from, to)
	got := ExportAll(t, to)
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w store.Record
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("record %d:\n got %s %d %s %q\nwant %s %d %s %q", i, g.Kind, g.ID, g.Doc, g.Blob, w.Kind, w.ID, w.Doc, w.Blob)
			}
		}
		t.Fatalf("copy differs: %d records, want %d", len(got), len(want))
	}
	// The copy works: the inbox reads, new ids follow the copied ones.
	err := to.Update(context.Background(), func(tx store.Tx) error {
		ds, err := tx.Inbox(store.Recipient{Type: store.KindUser, ID: 1}, store.InboxQuery{UnseenOnly: true})
		if err != nil || len(ds) != 2 {
			t.Errorf("unseen inbox of the copy: %d %v", len(ds), err)
		}
		// The conversations' indexes came with them.
		all, err := tx.Conversations()
		if err != nil {
			return err
		}
		byActivity, err := tx.ConversationsByActivity(nil, 100)
		if err != nil || len(byActivity) != len(all) || len(all) == 0 {
			t.Errorf("conversations by activity in the copy: %d of %d, %v", len(byActivity), len(all), err)
		}
		if mine, err := tx.ItemConversations(all[0].ItemID); err != nil || len(mine) == 0 || mine[0].ID != all[0].ID {
			t.Errorf("item %d's conversations in the copy: %+v %v", all[0].ItemID, mine, err)
		}
		m := &store.Message{ConversationID: 1, Body: "after the copy"}
		if err := tx.CreateMessage(m, nil); err != nil {
			return err
		}
		id, err := tx.NewOutboundID()
		if err != nil {
			return err
		}
		u := &store.User{Email: "new@example.com", Role: store.RoleAgent}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		a := &store.Automation{Name: "after the copy"}
		if err := tx.CreateAutomation(a); err != nil {
			return err
		}
		if a.ID != store.FirstAutomationID+1 {
			t.Errorf("automation created after the copy got id %d, want %d", a.ID, store.FirstAutomationID+1)
		}
		if m.ID != 4 || id != 3 || u.ID != 2 {
			t.Errorf("ids after the copy: message %d, outbound %d, user %d; want 4, 3, 2", m.ID, id, u.ID)
		}
		if p, err := tx.TokenPrincipal("tok-ann"); err != nil || p.ID != 1 || p.Minted != store.MintedSession {
			t.Errorf("token after the copy: %v %v", p, err)
		}
		if s, err := tx.Session("dgs_copied"); err != nil || s.UserID != 1 {
			t.Errorf("session after the copy: %v %v", s, err)
		}
		if invs, err := tx.InvitationsOf(99, []uint64{1}); err != nil || len(invs) != 1 {
			t.Errorf("team invitation after the copy: %v %v", invs, err)
		}
		if err := tx.CreateTeam(&store.Team{Name: "night SHIFT"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a team named like a copied one: %v, want conflict", err)
		}
		tm := &store.Team{Name: "Day shift"}
		if err := tx.CreateTeam(tm); err != nil || tm.ID <= 1 { // PostgreSQL's refused insert may use up id 2
			t.Errorf("new team after the copy: id %d, %v; want past the copied 1", tm.ID, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testCopyRoundTrip(t *testing.T, b Backend) {
	from, _ := b.Open(t)
	to, _ := b.Open(t)
	CheckCopy(t, from, to)
}

// populateAccounts adds a password, a session, a password link, a team
// and an invitation of user u to project p.
func populateAccounts(tx store.Tx, u, p uint64, at time.Time) error {
	tm := &store.Team{Name: "Night shift", UserIDs: []uint64{u}, CreatedAt: at}
	for _, err := range []error{
		tx.SetPasswordHash(u, "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"),
		tx.PutSession("dgs_copied", store.Session{UserID: u, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}),
		tx.PutPasswordLink("dgr_copied", store.PasswordLink{UserID: u, Purpose: store.LinkReset, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}),
		tx.CreateTeam(tm),
	} {
		if err != nil {
			return err
		}
	}
	return tx.CreateInvitation(&store.Invitation{ProjectID: p, TeamID: tm.ID, InvitedBy: u, Status: store.InvitationPending, CreatedAt: at})
}
