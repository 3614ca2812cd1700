package imapfetch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/internal/dovecottest"
	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/senderauth"
)

// One parse per mail (issue 21): a mail fetched over IMAP gets its
// envelope from its header (Return-Path, To, Cc), is checked by senderauth,
// classified by the loop guard and parsed by mailparse, and its top-level
// header and its MIME tree are each parsed once. The counters are global:
// the test is not parallel, and parallel tests run after it.
func TestOneParsePerMailIMAP(t *testing.T) {
	e := newEnv(t, dovecottest.Options{})
	dns := dnstest.Start(t) // answers nothing: the checks run and find no records
	res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: dns.Addr, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Inbound.SetInbound(bridge.InboundConfig{Auth: senderauth.New(res, senderauth.Options{})})
	e.mailbox(bridge.MailboxInput{})
	raw := "Return-Path: <olga@example.com>\r\nReceived: from mx.example.com by imap.example.com; Mon, 7 Dec 2026 10:00:00 +0000\r\n" +
		"From: Olga <olga@example.com>\r\nTo: help@example.com\r\nSubject: Two parts\r\nMessage-ID: <two@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=AA\r\n\r\n" +
		"--AA\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from IMAP\r\n" +
		"--AA\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello from IMAP</p>\r\n--AA--\r\n"
	e.dc.Append("INBOX", []byte(raw))
	before := parsecount.Now()
	e.run("node-a")
	e.waitFor("the mail imported", 30*time.Second, func() bool { return len(e.inbound()) == 1 })
	got := parsecount.Now().Sub(before)
	in := e.inbound()[0]
	if in.MessageID != "two@example.com" || in.From != "olga@example.com" || in.Auth == nil || in.ConversationID == 0 {
		t.Fatalf("imported %+v", in)
	}
	if ms := e.messages(in.ConversationID); len(ms) != 1 || !strings.Contains(ms[0].Body, "Hello from IMAP") {
		t.Fatalf("messages %+v", ms)
	}
	if got != (parsecount.Counts{Header: 1, Tree: 1}) {
		t.Errorf("header parsed %d times, MIME tree %d times; want 1 and 1", got.Header, got.Tree)
	}
}
