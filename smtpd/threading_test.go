package smtpd_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dkimpy"
	"github.com/deskgate/deskgate/store"
)

func (h *harness) createUser(email, name, role string) *store.User {
	h.t.Helper()
	u := &store.User{Email: email, Name: name, Role: role}
	if err := h.st.Update(context.Background(), func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		h.t.Fatal(err)
	}
	return u
}

func mail(from, to, subject, msgID, extra, body string) string {
	return "From: " + from + "\nTo: " + to + "\nSubject: " + subject + "\nMessage-ID: <" + msgID + ">\n" + extra + "\n" + body
}

// A mail to support@ starts an external conversation in the Inbox project
// with the sender (created, named from From) as its customer.
func TestSupportStartsConversation(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol Customer", "Printer on fire", "p1@example.com")
	c := h.conversation(conv)
	if c.Kind != "external" || c.Subject != "Printer on fire" || len(c.CustomerIDs) != 1 {
		t.Fatalf("conversation %+v", c)
	}
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		cu, err := tx.Customer(c.CustomerIDs[0])
		if err != nil || cu.Email != "carol@example.com" || cu.Name != "Carol Customer" {
			t.Fatalf("customer %+v %v", cu, err)
		}
		p, err := tx.Project(c.ProjectID)
		if err != nil || p.Name != bridge.InboxProject {
			t.Fatalf("project %+v %v", p, err)
		}
		it, err := tx.Item(c.ItemID)
		if err != nil || it.Title != "Printer on fire" || it.ProjectID != p.ID {
			t.Fatalf("item %+v %v", it, err)
		}
		return nil
	})
	ms := h.messages(conv)
	if len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	m := ms[0]
	if m.Author.Type != "customer" || m.Source != "smtp" || m.EmailMessageID != "p1@example.com" ||
		!strings.Contains(m.Body, "printer is on fire") {
		t.Fatalf("message %+v", m)
	}
	// A second mail without any threading hint is a second conversation,
	// in the same Inbox project.
	conv2 := h.newConversation("carol@example.com", "Carol Customer", "Another thing", "p2@example.com")
	if conv2 == conv || h.conversation(conv2).ProjectID != c.ProjectID {
		t.Fatalf("second conversation %d (first %d)", conv2, conv)
	}
}

// Rule 1: the reply token; the quoted history is cut from the body.
func TestThreadByReplyToken(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	to := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: h.conversation(conv).CustomerIDs[0]})
	body := "Still burning.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Agnes <support@support.test> wrote:\n> Have you tried turning it off?\n"
	wantReply(t, "reply", h.send("carol@example.com", []string{to}, mail("Carol <carol@example.com>", to, "Re: Printer", "r1@example.com", "", body)), "")
	h.mustStatus("threaded", "reply token → conversation")
	ms := h.messages(conv)
	if len(ms) != 2 || ms[1].Body != "Still burning." || !strings.Contains(ms[1].FullText, "turning it off") {
		t.Fatalf("messages %+v", ms)
	}
}

// Rule 2: In-Reply-To / References naming a Message-ID deskgate received
// or sent; a Message-ID named by another sender does not merge.
func TestThreadByMessageID(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	wantReply(t, "in-reply-to", h.send("carol@example.com", []string{"support@support.test"},
		mail("carol@example.com", "support@support.test", "Re: Printer", "p2@example.com", "In-Reply-To: <p1@example.com>\n", "more smoke\n")), "")
	if e := h.mustStatus("threaded", "In-Reply-To <p1@example.com> → conversation"); e.ConversationID != conv {
		t.Fatalf("threaded into %d, want %d", e.ConversationID, conv)
	}
	// An email deskgate sent (indexed by the outbound side with Sender = its recipient).
	if err := h.st.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutMessageRef("dg.sent1@mx.support.test", store.MessageRef{ConversationID: conv, Sender: "carol@example.com"})
	}); err != nil {
		t.Fatal(err)
	}
	wantReply(t, "references", h.send("carol@example.com", []string{"support@support.test"},
		mail("carol@example.com", "support@support.test", "Re: Printer", "p3@example.com", "References: <unknown@x.example> <dg.sent1@mx.support.test>\n", "yes\n")), "")
	h.mustStatus("threaded", "References <dg.sent1@mx.support.test> → conversation")

	// Mallory names Carol's Message-ID: a new conversation, not Carol's.
	wantReply(t, "foreign in-reply-to", h.send("mallory@evil.example", []string{"support@support.test"},
		mail("mallory@evil.example", "support@support.test", "Re: Printer", "m1@evil.example", "In-Reply-To: <p1@example.com>\n", "let me in\n")), "")
	if e := h.mustStatus("created", "not its participant"); e.ConversationID == conv {
		t.Fatal("foreign sender merged into the conversation")
	}
	// Mallory reuses Carol's Message-ID: it does not take over the index.
	wantReply(t, "reused message-id", h.send("mallory@evil.example", []string{"support@support.test"},
		mail("mallory@evil.example", "support@support.test", "Hi", "p1@example.com", "", "same id\n")), "")
	h.mustStatus("created", "new conversation")
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		ref, err := tx.MessageRef("p1@example.com")
		if err != nil || ref.ConversationID != conv || ref.Sender != "carol@example.com" {
			t.Fatalf("index of p1 after reuse: %+v %v", ref, err)
		}
		return nil
	})
	// The conversation's root Message-ID (in every email's References).
	root := rootID(h, conv)
	wantReply(t, "root", h.send("carol@example.com", []string{"support@support.test"},
		mail("carol@example.com", "support@support.test", "Re: Printer", "p4@example.com", "References: <"+root+">\n", "root\n")), "")
	h.mustStatus("threaded", "References <"+root+"> → conversation")
	if n := len(h.messages(conv)); n != 5 { // 3 mails, the ping that revealed the root, the root reply
		t.Fatalf("conversation has %d messages, want 5", n)
	}
}

// rootID builds the root Message-ID the bridge puts first in References
// ("dg.c<id>.<mac>@host"), by reading it from a queued email.
func rootID(h *harness, conv uint64) string {
	var got string
	ob := &captureOutbox{f: func(e *bridge.Email) { got = e.References[0] }}
	h.svc.SetOutbox(ob)
	defer h.svc.SetOutbox(nil)
	agent := h.createUser("root-agent@staff.example", "Root", store.RoleAdmin)
	c := bridge.Caller{Kind: store.KindUser, ID: agent.ID, Role: store.RoleAdmin}
	if _, err := h.svc.Conversations.PostMessage(context.Background(), c, conv, bridge.NewMessage{Body: "ping"}); err != nil {
		h.t.Fatal(err)
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.svc.Notifications.FireDue(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	if got == "" {
		h.t.Fatal("no email queued to learn the root Message-ID")
	}
	return got
}

type captureOutbox struct{ f func(*bridge.Email) }

func (o *captureOutbox) Enqueue(_ bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	o.f(e)
	return 1, nil
}
func (o *captureOutbox) Kick() {}

// Rule 3: a subject tag, only from a participant.
func TestThreadBySubjectTag(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	tag := "[#" + fmtID(conv) + "]"
	wantReply(t, "tag", h.send("carol@example.com", []string{"support@support.test"},
		mail("carol@example.com", "support@support.test", "Re: "+tag+" Printer", "t1@example.com", "", "tagged\n")), "")
	h.mustStatus("threaded", "subject tag "+tag)
	// Our tag is appended: a subject quoting another conversation's tag
	// before it (one Carol may not see) still threads by ours.
	wantReply(t, "quoted tag", h.send("carol@example.com", []string{"support@support.test"},
		mail("carol@example.com", "support@support.test", "Re: about [#999] Printer "+tag, "t3@example.com", "", "tagged\n")), "")
	if e := h.mustStatus("threaded", "subject tag "+tag); e.ConversationID != conv {
		t.Fatalf("threaded into %d, want %d", e.ConversationID, conv)
	}
	wantReply(t, "foreign tag", h.send("mallory@evil.example", []string{"support@support.test"},
		mail("mallory@evil.example", "support@support.test", "Re: "+tag+" Printer", "t2@evil.example", "", "tagged too\n")), "")
	if e := h.mustStatus("created", "not its participant"); e.ConversationID == conv {
		t.Fatal("non-participant merged by subject tag")
	}
	// A staff user who may see the conversation is a participant.
	agent := h.createUser("agnes@staff.example", "Agnes", store.RoleAgent)
	to := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindUser, ID: agent.ID})
	wantReply(t, "agent via token", h.send("agnes@staff.example", []string{to},
		mail("Agnes <agnes@staff.example>", to, "Re: Printer", "a1@staff.example", "", "On it.\n")), "")
	h.mustStatus("threaded", "reply token")
	ms := h.messages(conv)
	if last := ms[len(ms)-1]; last.Author.Type != "user" || last.Author.ID != agent.ID {
		t.Fatalf("agent reply authored by %+v", last.Author)
	}
}

func fmtID(n uint64) string { return strconv.FormatUint(n, 10) }

// A From of a staff user's address posts as that user only when the
// sender checks prove it (SPEC §12): a reply token naming the user is not
// enough, an aligned DKIM signature (dkimpy) is.
func TestStaffFromNeedsDMARC(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	key := dkimpy.NewKey(t)
	h.dns.AddTXT("sel._domainkey.staff.example", key.Record)
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	agent := h.createUser("agnes@staff.example", "Agnes", store.RoleAgent)

	// 127.0.0.9 is not in staff.example's SPF.
	spoof := mail("Agnes <agnes@staff.example>", "support@support.test", "Re: Printer", "s1@staff.example", "In-Reply-To: <p1@example.com>\n", "Refund approved.\n")
	wantReply(t, "unsigned user mail", h.sendFrom("127.0.0.9", "evil.example", "agnes@staff.example", []string{"support@support.test"}, spoof), "")
	h.mustStatus("suppressed", "not trusted as that user")
	if n := len(h.messages(conv)); n != 1 {
		t.Fatalf("spoofed staff mail posted: %d messages", n)
	}
	// Agnes's own reply token (a forwarded notification carries it) plus
	// a forged From: not posted as Agnes.
	own := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindUser, ID: agent.ID})
	wantReply(t, "own token, forged From", h.sendFrom("127.0.0.9", "evil.example", "agnes@staff.example", []string{own},
		mail("Agnes <agnes@staff.example>", own, "Re: Printer", "s2@staff.example", "", "Refund approved.\n")), "")
	h.mustStatus("suppressed", "not trusted as that user")

	signed := string(dkimpy.Sign(t, dkimpy.CRLF(mail("Agnes <agnes@staff.example>", "support@support.test", "Re: Printer", "s3@staff.example", "In-Reply-To: <p1@example.com>\n", "Refund approved.\n")), key, "sel", "staff.example"))
	wantReply(t, "signed user mail", h.sendFrom("127.0.0.9", "evil.example", "agnes@staff.example", []string{"support@support.test"}, signed), "")
	e := h.mustStatus("threaded", "In-Reply-To <p1@example.com>")
	if e.Auth == nil || e.Auth.DKIM != "pass" || e.Auth.DMARC != "pass" || e.Auth.SPF != "fail" {
		t.Fatalf("auth of the signed mail: %+v", e.Auth)
	}
	ms := h.messages(conv)
	if last := ms[len(ms)-1]; len(ms) != 2 || last.Author.Type != "user" || last.Author.ID != agent.ID || last.Unverified {
		t.Fatalf("signed staff mail: %d messages, last %+v", len(ms), last)
	}
	// A From of two authors (the parser takes Agnes) is not one DMARC can
	// vouch for (RFC 7489 §6.6.1), even signed by staff.example.
	two := string(dkimpy.Sign(t, dkimpy.CRLF(mail("Agnes <agnes@staff.example>, <mallory@evil.example>", "support@support.test", "Re: Printer", "s5@staff.example", "In-Reply-To: <p1@example.com>\n", "Refund approved.\n")), key, "sel", "staff.example"))
	wantReply(t, "two authors", h.sendFrom("127.0.0.9", "evil.example", "agnes@staff.example", []string{"support@support.test"}, two), "")
	h.mustStatus("suppressed", "DMARC permerror")
	// Tampered after signing: not trusted.
	tampered := strings.Replace(signed, "Refund approved.", "Refund denied.", 1)
	tampered = strings.Replace(tampered, "s3@staff.example", "s4@staff.example", 1)
	wantReply(t, "tampered", h.sendFrom("127.0.0.9", "evil.example", "agnes@staff.example", []string{"support@support.test"}, tampered), "")
	h.mustStatus("suppressed", "DMARC fail")
}

// One mail to support@ and a reply address is one reply; a resent mail
// (same Message-ID, same sender) is not posted twice.
func TestMultipleRecipientsAndDuplicates(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	to := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: h.conversation(conv).CustomerIDs[0]})
	raw := mail("carol@example.com", to+", support@support.test", "Re: Printer", "d1@example.com", "", "both\n")
	before := len(h.log())
	wantReply(t, "two recipients", h.send("carol@example.com", []string{"support@support.test", to, "support@help.test"}, raw), "")
	if n := len(h.log()) - before; n != 1 {
		t.Fatalf("%d mail log entries for one mail", n)
	}
	h.mustStatus("threaded", "reply token")
	wantReply(t, "resent", h.send("carol@example.com", []string{to}, raw), "")
	h.mustStatus("suppressed", "duplicate")
	if n := len(h.messages(conv)); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

// A reply token of an internal conversation takes no mail from a
// customer address, and one from an address that is not the token's
// recipient is posted without joining the conversation.
func TestReplyTokenLimits(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	agent := h.createUser("agnes@staff.example", "Agnes", store.RoleAgent)
	var internal store.Conversation
	if err := h.st.Update(context.Background(), func(tx store.Tx) error {
		c := h.conversation(conv)
		internal = store.Conversation{ItemID: c.ItemID, ProjectID: c.ProjectID, Kind: store.KindInternal, Subject: "staff only",
			Followers: []uint64{}, CustomerIDs: []uint64{}}
		return tx.CreateConversation(&internal)
	}); err != nil {
		t.Fatal(err)
	}
	to := h.svc.Addresses.ReplyAddress(internal.ID, store.Recipient{Type: store.KindUser, ID: agent.ID})
	wantReply(t, "customer to internal", h.send("carol@example.com", []string{to},
		mail("carol@example.com", to, "Re: staff only", "i1@example.com", "", "let me see\n")), "")
	h.mustStatus("suppressed", "not staff")
	if n := len(h.messages(internal.ID)); n != 0 {
		t.Fatalf("customer mail in an internal conversation: %d messages", n)
	}
	// Carol forwarded her notification to Dave, who answers it.
	carolTo := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: h.conversation(conv).CustomerIDs[0]})
	wantReply(t, "forwarded", h.send("dave@example.com", []string{carolTo},
		mail("Dave <dave@example.com>", carolTo, "Re: Printer", "dv1@example.com", "", "I am her colleague.\n")), "")
	h.mustStatus("threaded", "not the token's recipient")
	if c := h.conversation(conv); len(c.CustomerIDs) != 1 {
		t.Fatalf("a forwarded token made a new customer of the conversation: %v", c.CustomerIDs)
	}
}

// An inbound message notifies its recipients in the same commit (SPEC §4):
// an agent who takes all customer mail is notified, with its email timer.
func TestInboundMessageNotifies(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	agent := h.createUser("agnes@staff.example", "Agnes", store.RoleAgent)
	if err := h.st.Update(context.Background(), func(tx store.Tx) error {
		set := store.DefaultSettings()
		set.FromCustomers = "all"
		return tx.PutSettings(agent.ID, set)
	}); err != nil {
		t.Fatal(err)
	}
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	m := h.messages(conv)[0]
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		ds, err := tx.Deliveries(m.ID)
		if err != nil || len(ds) != 1 || ds[0].Recipient.ID != agent.ID || ds[0].EmailStatus != store.EmailPending {
			t.Fatalf("deliveries %+v %v", ds, err)
		}
		if _, ok, err := tx.TimerDue(ds[0].Recipient, conv); err != nil || !ok {
			t.Fatal("no unseen-email timer for the agent")
		}
		return nil
	})
}

// Under default settings (from_customers = mine) a new mail to support@
// notifies the admins, who follow the Inbox project from its creation; an
// agent who follows nothing is not notified.
func TestNewInboxMailNotifiesAdmins(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	admin := h.createUser("boss@staff.example", "Boss", store.RoleAdmin)
	h.createUser("agnes@staff.example", "Agnes", store.RoleAgent)
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	m := h.messages(conv)[0]
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		ds, err := tx.Deliveries(m.ID)
		if err != nil || len(ds) != 1 || ds[0].Recipient.ID != admin.ID {
			t.Fatalf("deliveries %+v %v, want the admin only", ds, err)
		}
		return nil
	})
}

// A reply sent to the From of our emails (notifications@) instead of their
// Reply-To is accepted and threaded by its In-Reply-To.
func TestReplyToNotificationsAddressThreads(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	if err := h.st.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutMessageRef("dg.sent9@mx.support.test", store.MessageRef{ConversationID: conv, Sender: "carol@example.com"})
	}); err != nil {
		t.Fatal(err)
	}
	wantReply(t, "notifications@", h.send("carol@example.com", []string{bridge.LocalNotifications + "@support.test"},
		mail("carol@example.com", "notifications@support.test", "Re: Printer", "p5@example.com", "In-Reply-To: <dg.sent9@mx.support.test>\n", "still smoking\n")), "")
	if e := h.mustStatus("threaded", "In-Reply-To <dg.sent9@mx.support.test>"); e.ConversationID != conv {
		t.Fatalf("threaded into %d, want %d", e.ConversationID, conv)
	}
}
