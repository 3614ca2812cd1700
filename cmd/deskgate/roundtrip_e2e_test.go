package main

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// smtpSend delivers raw (LF line ends are fine) over one session.
func smtpSend(t *testing.T, addr, from, to, raw string) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("customer.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		t.Fatalf("MAIL FROM:<%s>: %v", from, err)
	}
	if err := c.Rcpt(to); err != nil {
		t.Fatalf("RCPT TO:<%s>: %v", to, err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(w, strings.ReplaceAll(raw, "\n", "\r\n"))
	if err := w.Close(); err != nil {
		t.Fatalf("DATA: %v", err)
	}
	_ = c.Quit()
}

// The whole loop through the real binary: a message is emailed to the
// customer; her email reply (to the Reply-To token) lands in the
// conversation with the quote cut; a reply naming only the email's
// Message-ID lands there too; a DSN to the email's bounce address marks
// the delivery bounced.
func TestEmailReplyRoundTrip(t *testing.T) {
	up := startE2EUpstream(t, -1)
	p := startServe(t, t.TempDir(), "DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST="+up.addr)
	msgID := conversationWithCustomers(t, p, 1)
	waitDeliveries(t, p, msgID, 1, "sent")
	up.mu.Lock()
	raw := up.data[0]
	up.mu.Unlock()
	email, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	replyTo, err := mail.ParseAddress(email.Header.Get("Reply-To"))
	if err != nil || !strings.HasPrefix(replyTo.Address, "reply+") {
		t.Fatalf("Reply-To %q: %v", email.Header.Get("Reply-To"), err)
	}
	sentID := email.Header.Get("Message-Id")
	convs := p.getList("/api/v1/conversations", "e2e-admin")
	if len(convs) != 1 {
		t.Fatalf("conversations %v", convs)
	}
	conv := convs[0]["id"].(float64)

	smtpSend(t, p.smtp, "customer0@example.org", replyTo.Address, "From: Customer 0 <customer0@example.org>\nTo: "+replyTo.Address+
		"\nSubject: Re: Printer on fire\nMessage-ID: <rt1@example.org>\nIn-Reply-To: "+sentID+
		"\n\nThat worked, thanks!\n\nOn Tue, Dec 1, 2026, Admin wrote:\n> Have you tried turning it off and on again?\n")
	smtpSend(t, p.smtp, "customer0@example.org", "support@support.test", "From: customer0@example.org\nTo: support@support.test"+
		"\nSubject: Re: Printer on fire\nMessage-ID: <rt2@example.org>\nIn-Reply-To: "+sentID+"\n\nOne more thing.\n")
	msgs := p.getList(fmt.Sprintf("/api/v1/conversations/%v/messages", conv), "e2e-admin")
	if len(msgs) != 3 || msgs[1]["body"] != "That worked, thanks!" || msgs[2]["body"] != "One more thing." ||
		msgs[1]["source"] != "smtp" || msgs[1]["author"].(map[string]any)["type"] != "customer" {
		t.Fatalf("conversation messages %v", msgs)
	}
	in := p.getList("/api/v1/maillog?direction=inbound", "e2e-admin")
	if len(in) != 2 || !strings.Contains(in[1]["detail"].(string), "reply token → conversation") ||
		!strings.Contains(in[0]["detail"].(string), "In-Reply-To "+sentID) {
		t.Fatalf("inbound mail log %v", in)
	}

	out := p.getList("/api/v1/maillog?direction=outbound", "e2e-admin")
	if len(out) != 1 || !strings.HasPrefix(out[0]["from"].(string), "bounce+") {
		t.Fatalf("outbound mail log %v", out)
	}
	bounceAddr := out[0]["from"].(string)
	smtpSend(t, p.smtp, "", bounceAddr, "From: MAILER-DAEMON@mx.example.org\nTo: "+bounceAddr+"\nSubject: Undelivered Mail Returned to Sender"+
		"\nMessage-ID: <dsn1@mx.example.org>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"+
		"--B\nContent-Type: text/plain\n\nGone.\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"+
		"Final-Recipient: rfc822; customer0@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 mailbox gone\n\n--B--\n")
	in = p.getList("/api/v1/maillog?direction=inbound", "e2e-admin")
	if in[0]["status"] != "bounce" || !strings.Contains(in[0]["detail"].(string), "marked bounced") {
		t.Fatalf("DSN mail log entry %v", in[0])
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds := p.getList(fmt.Sprintf("/api/v1/messages/%v/deliveries", msgID), "e2e-admin")
		if len(ds) == 1 && ds[0]["email_status"] == "bounced" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery not bounced after the DSN: %v", ds)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}
