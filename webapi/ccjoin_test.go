package webapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// receive hands a raw mail to the domain as SMTP would and returns the one
// mail log outcome.
func (e *env) receive(from string, raw string) bridge.ReceiptEntry {
	e.t.Helper()
	rec, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: from, To: []string{"support@support.test"}},
		[]byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rec.Entries) != 1 {
		e.t.Fatalf("receipt %+v", rec)
	}
	return rec.Entries[0]
}

// customerEmails lists the addresses of a conversation's customers.
func (e *env) customerEmails(conv uint64) []string {
	e.t.Helper()
	var out []string
	err := e.st.View(context.Background(), func(tx store.Tx) error {
		c, err := tx.Conversation(conv)
		if err != nil {
			return err
		}
		for _, id := range c.CustomerIDs {
			cu, err := tx.Customer(id)
			if err != nil {
				return err
			}
			out = append(out, cu.Email)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

const ccMail = `From: Alice Customer <alice@customer.example>
To: Support <support@support.test>
Cc: Bob Colleague <bob@customer.example>, "Agnes (staff)" <agent@support.test>,
 support@support.test, no-reply@customer.example, Alice Customer <alice@customer.example>,
 printers-request@lists.example.net, MAILER-DAEMON@mx.customer.example,
 =?UTF-8?Q?Zo=C3=AB_Team?= <zoe@partner.example>
Subject: Printer on floor 3
Date: Wed, 25 Nov 2026 09:00:00 +0100
Message-ID: <CAcc1@mail.customer.example>

The printer on floor 3 is offline.
`

// Cc'd colleagues of a customer join the conversation as customers (not our
// own addresses, not staff, not no-reply), get the replies under the
// one-minute rule, and their reply-all threads into the same conversation.
func TestCcColleaguesJoinConversation(t *testing.T) {
	e := newEnv(t)
	e.fixture() // agent@support.test is staff
	r := e.receive("alice@customer.example", ccMail)
	if r.Status != bridge.InCreated || !strings.Contains(r.Detail, "Cc <bob@customer.example>, <zoe@partner.example> joined as customers") ||
		!strings.Contains(r.Detail, "<agent@support.test> is staff") || !strings.Contains(r.Detail, "<support@support.test> is our own address") ||
		!strings.Contains(r.Detail, "<no-reply@customer.example> reads no mail") ||
		!strings.Contains(r.Detail, "<printers-request@lists.example.net> is a list request address") ||
		!strings.Contains(r.Detail, "<mailer-daemon@mx.customer.example> is the mail system") {
		t.Fatalf("receipt %+v", r)
	}
	conv := r.ConversationID
	if got := e.customerEmails(conv); !slices.Equal(got, []string{"alice@customer.example", "bob@customer.example", "zoe@partner.example"}) {
		t.Fatalf("customers %v", got)
	}

	// An agent's reply reaches all three customers after the minute.
	m := e.post(conv, adminToken, "We are sending a technician.")
	ds := e.deliveries(m)
	for _, addr := range []string{"alice@customer.example", "bob@customer.example", "zoe@partner.example"} {
		if ds[addr].EmailStatus != "pending" {
			t.Fatalf("delivery to %s: %+v", addr, ds[addr])
		}
	}
	e.clock.Advance(time.Minute)
	e.fire()
	var to []string
	for _, em := range e.outbox.sent() {
		if em.Recipient.Type == "customer" && em.Conversation.ID == conv {
			to = append(to, em.Recipient.Email)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"alice@customer.example", "bob@customer.example", "zoe@partner.example"}) {
		t.Fatalf("emailed %v", to)
	}

	// Bob answers all on Alice's original mail: same conversation.
	reply := `From: Bob Colleague <bob@customer.example>
To: Alice Customer <alice@customer.example>
Cc: support@support.test
Subject: Re: Printer on floor 3
Message-ID: <bob-re-1@customer.example>
In-Reply-To: <CAcc1@mail.customer.example>
References: <CAcc1@mail.customer.example>

It is the one next to the kitchen.
`
	r = e.receive("bob@customer.example", reply)
	if r.Status != bridge.InThreaded || r.ConversationID != conv {
		t.Fatalf("reply-all: %+v, want threaded into %d", r, conv)
	}

	// Bob writing through Alice's reply address is an unverified sender
	// (SPEC §12): posted, but his Cc brings nobody in.
	var aliceReplyTo string
	for _, em := range e.outbox.sent() {
		if em.Recipient.Email == "alice@customer.example" {
			aliceReplyTo = em.ReplyTo
		}
	}
	if aliceReplyTo == "" {
		t.Fatal("no email to alice")
	}
	rec, err := e.svc.Inbound.Receive(context.Background(), bridge.Envelope{From: "bob@customer.example", To: []string{aliceReplyTo}},
		[]byte("From: bob@customer.example\r\nTo: "+aliceReplyTo+"\r\nCc: dave@customer.example\r\nSubject: Re: x\r\nMessage-ID: <bob-2@customer.example>\r\n\r\nAlso Dave.\r\n"))
	if err != nil || len(rec.Entries) != 1 || rec.Entries[0].ConversationID != conv ||
		!strings.Contains(rec.Entries[0].Detail, "Cc not joined: the sender is unverified") {
		t.Fatalf("via another's reply token: %+v %v", rec, err)
	}
	if got := e.customerEmails(conv); slices.Contains(got, "dave@customer.example") {
		t.Fatalf("customers %v", got)
	}
}

// With the setting off (DESKGATE_CC_JOIN=false), Cc'd people do not join,
// and a colleague's reply-all starts its own conversation.
func TestCcJoinOff(t *testing.T) {
	e := newEnv(t)
	e.svc.Inbound.SetInbound(bridge.InboundConfig{IgnoreCc: true})
	r := e.receive("alice@customer.example", ccMail)
	if r.Status != bridge.InCreated || strings.Contains(r.Detail, "Cc") {
		t.Fatalf("receipt %+v", r)
	}
	if got := e.customerEmails(r.ConversationID); !slices.Equal(got, []string{"alice@customer.example"}) {
		t.Fatalf("customers %v", got)
	}
	reply := "From: bob@customer.example\nTo: alice@customer.example\nCc: support@support.test\nSubject: Re: Printer on floor 3\nMessage-ID: <bob-re-2@customer.example>\nIn-Reply-To: <CAcc1@mail.customer.example>\n\nNext to the kitchen.\n"
	if r2 := e.receive("bob@customer.example", reply); r2.Status != bridge.InCreated || r2.ConversationID == r.ConversationID {
		t.Fatalf("reply-all with Cc joining off: %+v", r2)
	}
}

// A colleague who joined brings their own Cc'd colleague along when they
// write to support in the conversation.
func TestCcOfAJoinedColleagueJoins(t *testing.T) {
	e := newEnv(t)
	r := e.receive("alice@customer.example", ccMail)
	conv := r.ConversationID
	before := e.customerEmails(conv)
	// Bob (now a customer) replies with a new colleague in Cc: joins.
	reply := "From: bob@customer.example\nTo: support@support.test\nCc: carl@customer.example\nSubject: Re: Printer on floor 3\nMessage-ID: <bob-re-3@customer.example>\nIn-Reply-To: <CAcc1@mail.customer.example>\n\nAdding Carl.\n"
	if r2 := e.receive("bob@customer.example", reply); r2.ConversationID != conv || !strings.Contains(r2.Detail, "Cc <carl@customer.example> joined") {
		t.Fatalf("%+v", r2)
	}
	if got := e.customerEmails(conv); len(got) != len(before)+1 {
		t.Fatalf("customers %v", got)
	}
}

// A mail threaded by its subject tag alone (which anyone can type, with a
// forged From) adds nobody: the tag must not let an outsider in.
func TestCcBySubjectTagJoinsNobody(t *testing.T) {
	e := newEnv(t)
	r := e.receive("alice@customer.example", "From: alice@customer.example\nTo: support@support.test\nSubject: Printer\nMessage-ID: <a1@customer.example>\n\nHelp.\n")
	conv := r.ConversationID
	forged := "From: alice@customer.example\nTo: support@support.test\nCc: mallory@evil.example\nSubject: Re: [#" +
		strings.TrimSpace(pathf("%d", conv)) + "] Printer\nMessage-ID: <forged@evil.example>\n\nAdd my colleague.\n"
	r2 := e.receive("alice@customer.example", forged)
	if r2.Status != bridge.InThreaded || r2.ConversationID != conv || !strings.Contains(r2.Detail, "subject tag only") {
		t.Fatalf("%+v", r2)
	}
	if got := e.customerEmails(conv); !slices.Equal(got, []string{"alice@customer.example"}) {
		t.Fatalf("customers %v", got)
	}
}

// At most 20 Cc addresses of one mail join: a mail copied to a crowd is a
// mailing, not a team.
func TestCcJoinIsBounded(t *testing.T) {
	e := newEnv(t)
	var cc []string
	for i := range 25 {
		cc = append(cc, pathf("person%d@crowd.example", i))
	}
	r := e.receive("alice@customer.example", "From: alice@customer.example\nTo: support@support.test\nCc: "+
		strings.Join(cc, ",\n ")+"\nSubject: Hello all\nMessage-ID: <crowd@customer.example>\n\nHi.\n")
	if got := e.customerEmails(r.ConversationID); len(got) != 21 || !strings.Contains(r.Detail, "more than 20 Cc addresses") {
		t.Fatalf("%d customers, detail %q", len(got), r.Detail)
	}
}
