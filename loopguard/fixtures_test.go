package loopguard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is one testdata mail and what Classify must say about it.
type fixture struct {
	file, envFrom string
	class         Class
	reason        string // fragment of the reason
}

var fixtures = []fixture{
	{"human.eml", "alice@example.com", Human, "no automatic-mail"},
	{"human-reply-to-own.eml", "alice@example.com", Human, ""},
	{"human-auto-submitted-no.eml", "alice@example.com", Human, ""},
	{"human-forwarded-bounce.eml", "alice@example.com", Human, ""},
	{"human-reply-pasted-bounce.eml", "alice@example.com", Human, ""},
	{"human-subject-mentions-autoreply.eml", "alice@example.com", Human, ""},
	{"human-delivery-failed-parcel.eml", "alice@example.com", Human, ""},
	{"own-header.eml", "bounce+x@example.org", Own, "X-Deskgate-Origin"},
	{"own-message-id.eml", "support@example.org", Own, "Message-ID <dg.0a1b2c3d@desk.example.org>"},
	{"not-own-other-host.eml", "support@other.example.net", Human, ""},
	{"human.eml", "bounce+abc123@example.org", Own, "own bounce address"},
	{"human.eml", "bounce+abc123@elsewhere.example", Human, ""},
	{"auto-submitted-auto-replied.eml", "alice@example.com", AutoReply, "Auto-Submitted: auto-replied"},
	{"auto-submitted-auto-generated.eml", "alice@example.com", AutoReply, "Auto-Submitted: auto-generated"},
	{"auto-submitted-auto-notified.eml", "alice@example.com", AutoReply, "RFC 3834"},
	{"header-x-autoreply.eml", "alice@example.com", AutoReply, "X-Autoreply"},
	{"header-x-autorespond.eml", "alice@example.com", AutoReply, "X-Autorespond"},
	{"header-x-autoresponder.eml", "alice@example.com", AutoReply, "X-Autoresponder"},
	{"header-x-ms-exchange-generated-message-source.eml", "alice@example.com", AutoReply, "X-MS-Exchange-Generated-Message-Source"},
	// A person's mail: asking not to be auto-answered, or passed on by an inbox rule.
	{"header-x-ms-exchange-inbox-rules-loop.eml", "alice@example.com", Human, "X-MS-Exchange-Inbox-Rules-Loop"},
	{"header-x-auto-response-suppress.eml", "alice@example.com", Human, "X-Auto-Response-Suppress"},
	{"outlook-x-auto-response-suppress.eml", "juergen.mueller@kunde.example.de", Human, "not a sign of automatic mail"},
	{"human-exchange-inbox-rule.eml", "priya.raman@contoso.example.com", Human, "inbox rule"},
	// Our host name in the Message-ID, whatever the local part.
	{"own-message-id-any-local.eml", "alice@example.com", Own, "host name"},
	// List managers and the mail system, by envelope or header.
	{"list-owner-envelope.eml", "owner-printers-l@lists.example.net", List, "envelope sender owner-printers-l@"},
	{"list-owner-envelope.eml", "bob@example.net", List, "Return-Path: owner-printers-l@"},
	{"list-request-from.eml", "sympa-users-request@lists.example.net", List, "LIST-request"},
	{"list-bounces-verp.eml", "devel-bounces+support=example.org@lists.example.net", List, "LIST-bounces"},
	{"list-bounces-verp.eml", "carol@example.com", List, "Sender: devel-bounces+"},
	{"sender-mailer-daemon.eml", "postmaster@mx.example.com", Bounce, "Sender: mailer-daemon@"},
	{"human.eml", "MAILER-DAEMON@mx.example.com", Bounce, "mail daemon"},
	{"header-x-loop.eml", "alice@example.com", AutoReply, "X-Loop"},
	{"header-precedence.eml", "alice@example.com", AutoReply, "Precedence: auto_reply"},
	{"precedence-bulk.eml", "news@example.com", List, "Precedence: bulk"},
	{"precedence-junk.eml", "news@example.com", List, "Precedence: junk"},
	{"precedence-list.eml", "news@example.com", List, "Precedence: list"},
	{"header-list-id.eml", "news@example.com", List, "List-Id"},
	{"header-list-unsubscribe.eml", "news@example.com", List, "List-Unsubscribe"},
	{"header-list-post.eml", "news@example.com", List, "List-Post"},
	{"header-feedback-id.eml", "news@example.com", List, "Feedback-ID"},
	{"dsn-rfc3464.eml", "", Bounce, "report-type=delivery-status"},
	{"dsn-headers-only.eml", "", Bounce, "RFC 3464"},
	{"arf-abuse.eml", "fbl@isp.example.net", Bounce, "Feedback-Type: abuse"},
	{"mdn-read-receipt.eml", "", AutoReply, "disposition-notification"},
	{"qmail.eml", "", Bounce, "qmail-send"},
	{"exim.eml", "", Bounce, "mail delivery software"},
	{"postfix-plain.eml", "", Bounce, "this is the mail system"},
	{"exchange-plain.eml", "", Bounce, "delivery has failed"},
	{"lotus.eml", "", Bounce, "mail daemon"},
	{"gmail-text.eml", "", Bounce, "wasn't delivered"},
	{"null-sender.eml", "", Bounce, "null reverse path"},
	{"postmaster-autoreplied.eml", "postmaster@mail.example.de", AutoReply, "Auto-Submitted: auto-replied"},
	{"ses-notification.eml", "x@sns.example.com", Bounce, "notificationType"},
}

// readFixture reads a testdata file; crlf selects CRLF line endings.
func readFixture(t testing.TB, name string, crlf bool) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if crlf {
		raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
	}
	return raw
}

// Every rule on its own fixture, with LF and CRLF line endings.
func TestFixtures(t *testing.T) {
	g := testGuard()
	for _, f := range fixtures {
		for _, crlf := range []bool{false, true} {
			v := g.Classify(f.envFrom, readFixture(t, f.file, crlf))
			if v.Class != f.class || !strings.Contains(strings.ToLower(v.Reason), strings.ToLower(f.reason)) {
				t.Errorf("%s (crlf=%v): got %s %q, want %s with %q", f.file, crlf, v.Class, v.Reason, f.class, f.reason)
			}
			if v.Class != Bounce && v.DSN != nil {
				t.Errorf("%s: DSN on a %s verdict", f.file, v.Class)
			}
		}
	}
}

// dsnWant is what the DSN of a bounce fixture must say.
type dsnWant struct {
	file       string
	recipients []DSNRecipient // Diagnostic compared as a prefix
	messageID  string
	envelopeID string
}

var dsnFixtures = []dsnWant{
	{"dsn-rfc3464.eml", []DSNRecipient{
		{"nobody@example.com", "failed", "5.1.1", "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown"},
		{"full@example.com", "delayed", "4.2.2", "452 4.2.2 Mailbox full"},
	}, "dg.5e6f7a8b@desk.example.org", "42-env"},
	// Status 5.0.0 made specific by the code in Diagnostic-Code.
	{"dsn-headers-only.eml", []DSNRecipient{{"gone@example.net", "failed", "5.2.1", "550 5.2.1"}}, "dg.headers1@desk.example.org", ""},
	{"arf-abuse.eml", []DSNRecipient{{"complainer@isp.example.net", "complained", "", "feedback report: abuse"}}, "dg.arf1@desk.example.org", ""},
	{"qmail.eml", []DSNRecipient{{"someone@example.net", "failed", "5.1.1", ""}}, "dg.q1@desk.example.org", ""},
	{"exim.eml", []DSNRecipient{{"full@exim.example.net", "failed", "5.2.2", ""}}, "dg.e1@desk.example.org", ""},
	{"postfix-plain.eml", []DSNRecipient{{"ghost@pf.example.net", "failed", "5.1.1", ""}}, "", ""},
	{"exchange-plain.eml", []DSNRecipient{{"bob@corp.example.com", "failed", "5.1.10", ""}}, "", ""},
	{"lotus.eml", []DSNRecipient{{"carl@lotus.example.com", "failed", "5.1.1", ""}}, "", ""},
	{"gmail-text.eml", []DSNRecipient{{"typo@gmial.example", "failed", "5.1.2", ""}}, "", ""},
	// Our own address in the text is the sender, not the failed recipient.
	{"exchange-names-sender.eml", []DSNRecipient{{"ghost@example.net", "failed", "5.1.1", ""}}, "", ""},
	{"ses-notification.eml", []DSNRecipient{{"lost@example.net", "failed", "5.1.1", "550 5.1.1 user unknown"}}, "dg.ses1@desk.example.org", ""},
}

// What DSNs and text bounces say: recipients, actions, statuses, diagnostics and the
// returned message's id.
func TestFixtureDSNs(t *testing.T) {
	g := testGuard()
	for _, w := range dsnFixtures {
		v := g.Classify("", readFixture(t, w.file, true))
		if v.DSN == nil {
			t.Errorf("%s: no DSN (%s %s)", w.file, v.Class, v.Reason)
			continue
		}
		if len(v.DSN.Recipients) != len(w.recipients) {
			t.Errorf("%s: recipients %+v, want %+v", w.file, v.DSN.Recipients, w.recipients)
			continue
		}
		for i, want := range w.recipients {
			got := v.DSN.Recipients[i]
			if got.Address != want.Address || got.Action != want.Action || got.Status != want.Status || !strings.HasPrefix(got.Diagnostic, want.Diagnostic) {
				t.Errorf("%s recipient %d: got %+v, want %+v", w.file, i, got, want)
			}
		}
		if v.DSN.OriginalMessageID != w.messageID || v.DSN.OriginalEnvelopeID != w.envelopeID {
			t.Errorf("%s: message id %q envelope id %q, want %q %q", w.file, v.DSN.OriginalMessageID, v.DSN.OriginalEnvelopeID, w.messageID, w.envelopeID)
		}
	}
}

// Out-of-office subjects in the major languages, with no header saying so.
func TestOutOfOfficeSubjects(t *testing.T) {
	g := testGuard()
	data, err := os.ReadFile(filepath.Join("testdata", "ooo-subjects.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		lang, subject, _ := strings.Cut(line, "\t")
		msg := "From: someone@example.com\r\nTo: support@example.org\r\nSubject: " + subject + "\r\n\r\nI am away until Monday.\r\n"
		v := g.Classify("someone@example.com", []byte(msg))
		if v.Class != AutoReply || !strings.Contains(v.Reason, "out-of-office") {
			t.Errorf("%s %q: %s %q", lang, subject, v.Class, v.Reason)
		}
		n++
	}
	if n < 25 {
		t.Fatalf("only %d subjects", n)
	}
}

// Subjects people write that merely mention the words of automatic replies.
func TestHumanSubjectsThatLookAutomatic(t *testing.T) {
	g := testGuard()
	for _, subject := range []string{
		"How do I switch off the automatic reply?",
		"Vacation: can I move my booking?",
		"Urlaub: Buchung 4711 ändern",
		"Away game tickets",
		"Absent charge on my invoice",
		"Delivery failed - where is my parcel?",
		"Returned item refund",
		"Re: Out of stock",
		"Fwd: Undeliverable: my mail to you",
	} {
		msg := "From: someone@example.com\r\nTo: support@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <h1@example.com>\r\n\r\nHello, a question.\r\n"
		if v := g.Classify("someone@example.com", []byte(msg)); v.Class != Human {
			t.Errorf("%q: %s %q", subject, v.Class, v.Reason)
		}
	}
	// Feedback-ID from a person's mailbox (services like WorkMail send through SES).
	msg := "From: Bob <bob@corp.example.com>\r\nFeedback-ID: 1.eu-west-1.x:AmazonSES\r\nSubject: Question\r\n\r\nHi\r\n"
	if v := g.Classify("bob@corp.example.com", []byte(msg)); v.Class != Human {
		t.Errorf("Feedback-ID from a person: %s %q", v.Class, v.Reason)
	}
}

// A postmaster is a person too when nothing else says bounce.
func TestPostmasterWritingIsHuman(t *testing.T) {
	msg := "From: Postmaster <postmaster@customer.example.com>\r\nTo: support@example.org\r\nSubject: Your SPF record is wrong\r\nMessage-ID: <pm1@customer.example.com>\r\n\r\nHello, your mails fail SPF at our side. Please fix it.\r\n"
	if v := testGuard().Classify("postmaster@customer.example.com", []byte(msg)); v.Class != Human {
		t.Errorf("postmaster writing: %s %q", v.Class, v.Reason)
	}
	if v := testGuard().Classify("", []byte(msg)); v.Class != Bounce {
		t.Errorf("postmaster with a null reverse path: %s %q", v.Class, v.Reason)
	}
}

// A Message-ID on our host name is ours, unless a mail client named it
// after its user's From on that host (Thunderbird does): then only dg.* ids.
func TestOwnMessageIDFromOurHost(t *testing.T) {
	g := testGuard()
	agent := "From: Agnes <agnes@desk.example.org>\r\nTo: support@example.org\r\nMessage-ID: <5f1c9a2e-77b1-4c2d-9e0a-3b4c5d6e7f80@desk.example.org>\r\nSubject: Re: x\r\n\r\nDone.\r\n"
	if v := g.Classify("agnes@desk.example.org", []byte(agent)); v.Class != Human {
		t.Errorf("staff writing from our host name: %s %q", v.Class, v.Reason)
	}
	ours := strings.Replace(agent, "<5f1c", "<dg.5f1c", 1)
	if v := g.Classify("agnes@desk.example.org", []byte(ours)); v.Class != Own {
		t.Errorf("dg. id from our host name: %s %q", v.Class, v.Reason)
	}
}

// A DSN an MTA on our host wrote carries a Message-ID on our host name: it is
// still a bounce (with its DSN), not own mail.
func TestDSNFromOurHostIsABounce(t *testing.T) {
	raw := "Message-ID: <20261201100000.ABC12@desk.example.org>\r\n" + string(readFixture(t, "dsn-rfc3464.eml", true))
	v := testGuard().Classify("", []byte(raw))
	if v.Class != Bounce || v.DSN == nil || len(v.DSN.Recipients) != 2 {
		t.Errorf("DSN from our host: %s %q %+v", v.Class, v.Reason, v.DSN)
	}
}
