package smtpd_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// RCPT TO per SPEC §3; a session's refusals are logged as one rejected
// entry without raw.
func TestRcptReplyCodes(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	conv := h.newConversation("carol@example.com", "Carol", "Printer", "p1@example.com")
	good := "reply+" + h.svc.Addresses.NewReplyToken(conv, store.Recipient{Type: store.KindCustomer, ID: 1}) + "@support.test"
	forged := "reply+" + h.svc.Addresses.NewReplyToken(conv+1, store.Recipient{Type: store.KindCustomer, ID: 1})
	forged = forged[:len(forged)-2] + "aa@support.test" // a MAC that does not verify
	cases := []struct{ rcpt, want string }{
		{"someone@elsewhere.example", "550 5.7.1"},
		{"support@support.test.evil.example", "550 5.7.1"},
		{"nobody@support.test", "550 5.1.1"},
		{forged, "550 5.1.1"},
		{"reply+notatoken@support.test", "550 5.1.1"},
		{"reply+" + h.svc.Addresses.NewReplyToken(999, store.Recipient{Type: store.KindCustomer, ID: 1}) + "@support.test", "550 5.1.1"}, // valid MAC, no such conversation
		{"bounce+aaaaaaaaaaaaaaaaaaaaaa@support.test", "550 5.1.1"},
		{"support@support.test", ""},
		{"SUPPORT@Help.Test", ""},
		{"postmaster@support.test", ""},
		{good, ""},
		{"bounce+" + h.svc.Addresses.NewBounceToken(7) + "@support.test", ""},
	}
	c := h.client()
	if err := c.Mail("x@example.com"); err != nil {
		t.Fatal(err)
	}
	before := len(h.log())
	rejected := 0
	for _, tc := range cases {
		got := ""
		if err := c.Rcpt(tc.rcpt); err != nil {
			got = replyOf(t, err)
			rejected++
		}
		wantReply(t, "RCPT TO "+tc.rcpt, got, tc.want)
	}
	_ = c.Quit()
	// The session's refusals are one entry, written when it ends.
	es := h.waitLog(before, 1)
	if len(es) != 1 {
		t.Fatalf("%d entries for one session: %+v", len(es), es)
	}
	e := es[0]
	if e.Status != "rejected" || e.Size != 0 || !strings.Contains(e.Detail, fmt.Sprintf("%d recipients refused in one session: ", rejected)) {
		t.Fatalf("rejection entry %+v", e)
	}
	if !strings.HasPrefix(e.Detail, fmt.Sprintf("%d recipients refused in one session: RCPT TO <someone@elsewhere.example>: 550 5.7.1 relay access denied; ", rejected)) {
		t.Fatalf("detail %q", e.Detail)
	}
	if strings.Count(e.Detail, "RCPT TO <") != rejected || !strings.HasPrefix(e.To, "someone@elsewhere.example, ") {
		t.Fatalf("entry %+v", e)
	}
}

// The 101st recipient is refused with 452 4.5.3; the first 100 get the mail.
func TestRecipientLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	c := h.client()
	if err := c.Mail("x@example.com"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := c.Rcpt("support@support.test"); err != nil {
			t.Fatalf("rcpt %d: %v", i+1, err)
		}
	}
	err := c.Rcpt("support@support.test")
	if err == nil {
		t.Fatal("101st recipient accepted")
	}
	wantReply(t, "101st RCPT", replyOf(t, err), "452 4.5.3")
}

// SIZE is advertised; over it is 552 5.3.4 at MAIL and at DATA, and DATA
// refusals are logged.
func TestSizeLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{maxBytes: 4096})
	c := h.client()
	if ok, p := c.Extension("SIZE"); !ok || p != "4096" {
		t.Fatalf("SIZE %v %q", ok, p)
	}
	for _, ext := range []string{"8BITMIME", "SMTPUTF8", "PIPELINING", "ENHANCEDSTATUSCODES"} {
		if ok, _ := c.Extension(ext); !ok {
			t.Errorf("%s not offered", ext)
		}
	}
	c.Close()
	// MAIL FROM with SIZE over the limit, spoken by hand.
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	readReply := func() string {
		var last string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			last = strings.TrimSpace(line)
			if len(last) < 4 || last[3] != '-' {
				return last
			}
		}
	}
	readReply()
	fmt.Fprintf(conn, "EHLO client.example\r\n")
	readReply()
	fmt.Fprintf(conn, "MAIL FROM:<x@example.com> SIZE=5000\r\n")
	wantReply(t, "MAIL SIZE=5000", readReply(), "552 5.3.4")

	big := "From: a@example.com\nTo: support@support.test\nSubject: big\n\n" + strings.Repeat("0123456789abcdef\n", 400)
	wantReply(t, "oversized DATA", h.send("a@example.com", []string{"support@support.test"}, big), "552 5.3.4")
	e := h.mustStatus("rejected", "552 5.3.4")
	if e.Size != 0 {
		t.Fatalf("raw kept for a rejected mail: %+v", e)
	}
	small := "From: a@example.com\nTo: support@support.test\nSubject: small\n\nfits\n"
	wantReply(t, "small DATA after a big one", h.send("a@example.com", []string{"support@support.test"}, small), "")
}

// More than 50 Received fields is a loop: 554 5.4.6; 50 is fine.
func TestHopLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	mail := func(hops int, id string) string {
		return strings.Repeat("Received: from a.example by b.example; Tue, 1 Dec 2026 10:00:00 +0000\n", hops) +
			"From: loop@example.com\nTo: support@support.test\nSubject: hops\nMessage-ID: <" + id + ">\n\nround and round\n"
	}
	wantReply(t, "51 hops", h.send("loop@example.com", []string{"support@support.test"}, mail(51, "h51@example.com")), "554 5.4.6")
	h.mustStatus("rejected", "51 Received headers")
	wantReply(t, "50 hops", h.send("loop@example.com", []string{"support@support.test"}, mail(50, "h50@example.com")), "")
	h.mustStatus("created", "new conversation")
}

// A storage failure is 451 4.3.0 (temporary), never a permanent 5xx.
func TestStorageFailureIsTemporary(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	c := h.client()
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("support@support.test"); err != nil {
		t.Fatal(err)
	}
	_ = h.st.Close() // the disk goes away between RCPT and DATA
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n")
	err = w.Close()
	if err == nil {
		t.Fatal("250 without a store")
	}
	wantReply(t, "DATA with a closed store", replyOf(t, err), "451 4.3.0")
}
