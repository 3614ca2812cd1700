package smtpd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dkimpy"
	"github.com/deskgate/deskgate/store"
)

// SPEC §12 against the real server, a real DNS server on loopback and
// dkimpy: shop.example publishes SPF (only 127.0.0.5 sends), a DKIM key
// and DMARC p=reject; customer.example SPF (127.0.0.6) and DMARC p=none.
func authHarness(t *testing.T, o harnessOpts) (*harness, dkimpy.Key) {
	t.Helper()
	dkimpy.Need(t)
	h := newHarness(t, o)
	key := dkimpy.NewKey(t)
	h.dns.Add(t,
		`shop.example. 300 IN TXT "v=spf1 ip4:127.0.0.5 -all"`,
		`_dmarc.shop.example. 300 IN TXT "v=DMARC1; p=reject"`,
		`customer.example. 300 IN TXT "v=spf1 ip4:127.0.0.6 -all"`,
		`_dmarc.customer.example. 300 IN TXT "v=DMARC1; p=none"`,
	)
	h.dns.AddTXT("sel._domainkey.shop.example", key.Record)
	h.dns.AddTXT("sel._domainkey.mail.shop.example", key.Record)
	return h, key
}

func signed(t *testing.T, key dkimpy.Key, d, raw string) string {
	return string(dkimpy.Sign(t, dkimpy.CRLF(raw), key, "sel", d))
}

// A dkimpy-signed mail from an authorised IP passes and is stored with
// our Authentication-Results; the same From from an unauthorised IP
// without a signature is refused 550 5.7.1 and logged rejected.
func TestDMARCRejectPolicy(t *testing.T) {
	h, key := authHarness(t, harnessOpts{})
	good := signed(t, key, "shop.example", mail("Sam <sam@shop.example>", "support@support.test", "Order 1", "o1@shop.example", "", "Where is it?\n"))
	wantReply(t, "signed", h.sendFrom("127.0.0.5", "mx.shop.example", "sam@shop.example", []string{"support@support.test"}, good), "")
	e := h.mustStatus("created", "new conversation")
	if e.Auth == nil || *e.Auth != (store.MailAuth{SPF: "pass", DKIM: "pass", DMARC: "pass", ARC: "none", Reason: e.Auth.Reason}) {
		t.Fatalf("auth %+v", e.Auth)
	}
	raw := string(h.raw(e.ID))
	if !strings.HasPrefix(raw, "Received: ") || !strings.Contains(raw, "\r\nAuthentication-Results: mx.support.test;") ||
		!strings.Contains(raw, "dmarc=pass header.from=shop.example") {
		t.Fatalf("stored raw lacks our Authentication-Results:\n%.600s", raw)
	}
	if ms := h.messages(e.ConversationID); len(ms) != 1 || ms[0].Unverified {
		t.Fatalf("messages %+v", ms)
	}

	forged := mail("Sam <sam@shop.example>", "support@support.test", "Order 2", "o2@shop.example", "", "Pay to this account.\n")
	got := h.sendFrom("127.0.0.9", "evil.example", "sam@shop.example", []string{"support@support.test"}, forged)
	wantReply(t, "forged", got, "550 5.7.1")
	if !strings.Contains(got, "DMARC") {
		t.Fatalf("reply %q does not say DMARC", got)
	}
	e = h.mustStatus("rejected", "dmarc=fail")
	if e.Auth == nil || e.Auth.SPF != "fail" || e.Auth.DKIM != "none" || e.Auth.DMARC != "fail" {
		t.Fatalf("rejected auth %+v", e.Auth)
	}
	if n := metricValue(t, h, "deskgate_smtp_rejected_total", "dmarc_reject"); n != 1 {
		t.Errorf("dmarc_reject metric %d", n)
	}
}

// DESKGATE_DMARC_ENFORCE=false: the p=reject failure is accepted, marked
// unverified, and does not thread by subject tag.
func TestDMARCMonitorOnly(t *testing.T) {
	h, _ := authHarness(t, harnessOpts{inbound: bridge.InboundConfig{DMARCMonitorOnly: true}})
	forged := mail("Sam <sam@shop.example>", "support@support.test", "Order 2", "o2@shop.example", "", "Pay to this account.\n")
	wantReply(t, "forged", h.sendFrom("127.0.0.9", "evil.example", "sam@shop.example", []string{"support@support.test"}, forged), "")
	e := h.mustStatus("created", "fails DMARC")
	if ms := h.messages(e.ConversationID); len(ms) != 1 || !ms[0].Unverified {
		t.Fatalf("not unverified: %+v", ms)
	}
}

// p=none: a failing From is accepted but unverified, and cannot enter
// Carol's conversation by subject tag nor by In-Reply-To; Carol herself
// (SPF-authorised) can.
func TestDMARCNoneUnverified(t *testing.T) {
	h, _ := authHarness(t, harnessOpts{})
	first := mail("Carol <carol@customer.example>", "support@support.test", "Printer", "c1@customer.example", "", "It burns.\n")
	wantReply(t, "carol", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{"support@support.test"}, first), "")
	conv := h.mustStatus("created", "new conversation").ConversationID
	tag := "[#" + fmtID(conv) + "]"

	forged := mail("Carol <carol@customer.example>", "support@support.test", "Re: "+tag+" Printer", "f1@evil.example",
		"In-Reply-To: <c1@customer.example>\n", "Send the refund to my new account.\n")
	wantReply(t, "forged carol", h.sendFrom("127.0.0.9", "evil.example", "carol@customer.example", []string{"support@support.test"}, forged), "")
	e := h.mustStatus("created", "fails DMARC")
	if e.ConversationID == conv || e.Auth == nil || e.Auth.DMARC != "fail" {
		t.Fatalf("forged mail entered Carol's conversation: %+v", e)
	}
	if ms := h.messages(e.ConversationID); len(ms) != 1 || !ms[0].Unverified || ms[0].Author.Email != "carol@customer.example" {
		t.Fatalf("forged message %+v", ms)
	}
	if n := len(h.messages(conv)); n != 1 {
		t.Fatalf("Carol's conversation has %d messages", n)
	}

	real := mail("Carol <carol@customer.example>", "support@support.test", "Re: "+tag+" Printer", "c2@customer.example", "", "Still burning.\n")
	wantReply(t, "carol again", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{"support@support.test"}, real), "")
	h.mustStatus("threaded", "subject tag "+tag)
}

// A reply token still threads an unverified From, but the author is the
// token's recipient only when the From is that recipient; anyone else is
// posted as an unverified sender.
func TestReplyTokenAuthor(t *testing.T) {
	h, _ := authHarness(t, harnessOpts{})
	first := mail("Carol <carol@customer.example>", "support@support.test", "Printer", "c1@customer.example", "", "It burns.\n")
	wantReply(t, "carol", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{"support@support.test"}, first), "")
	conv := h.mustStatus("created", "new conversation").ConversationID
	to := h.svc.Addresses.ReplyAddress(conv, store.Recipient{Type: store.KindCustomer, ID: h.conversation(conv).CustomerIDs[0]})

	wantReply(t, "carol by token", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{to},
		mail("carol@customer.example", to, "Re: Printer", "c2@customer.example", "", "thanks\n")), "")
	h.mustStatus("threaded", "reply token")
	wantReply(t, "other by token", h.sendFrom("127.0.0.9", "x.example", "bob@elsewhere.example", []string{to},
		mail("bob@elsewhere.example", to, "Re: Printer", "b1@elsewhere.example", "", "me too\n")), "")
	h.mustStatus("threaded", "posted as an unverified sender")
	ms := h.messages(conv)
	if len(ms) != 3 || ms[1].Unverified || ms[1].Author.Email != "carol@customer.example" ||
		!ms[2].Unverified || ms[2].Author.Email != "bob@elsewhere.example" {
		t.Fatalf("messages %+v", ms)
	}
}

// A subdomain's signature aligns with its organizational domain (relaxed
// alignment): d=mail.shop.example vouches for From: shop.example, even
// from an IP SPF does not authorise.
func TestSubdomainSignatureAligns(t *testing.T) {
	h, key := authHarness(t, harnessOpts{})
	raw := signed(t, key, "mail.shop.example", mail("Sam <sam@shop.example>", "support@support.test", "Order 3", "o3@shop.example", "", "Hello.\n"))
	wantReply(t, "subdomain", h.sendFrom("127.0.0.9", "out.shop.example", "bounces@mail.shop.example", []string{"support@support.test"}, raw), "")
	e := h.mustStatus("created", "new conversation")
	if e.Auth == nil || e.Auth.DMARC != "pass" || e.Auth.DKIM != "pass" {
		t.Fatalf("auth %+v", e.Auth)
	}
}

// An arriving Authentication-Results that claims our host name is removed
// before ours is added; one of another host stays.
func TestForgedAuthResultsStripped(t *testing.T) {
	h, _ := authHarness(t, harnessOpts{})
	raw := "Authentication-Results: mx.support.test; dkim=pass header.d=forged.example; dmarc=pass header.from=customer.example\n" +
		"Authentication-Results: MX.SUPPORT.TEST (sure);\n\tspf=pass smtp.mailfrom=forged2.example\n" +
		"Authentication-Results: mx.customer.example; spf=pass smtp.mailfrom=customer.example\n" +
		mail("Carol <carol@customer.example>", "support@support.test", "Hi", "c9@customer.example", "", "hello\n")
	wantReply(t, "forged A-R", h.sendFrom("127.0.0.6", "mx.customer.example", "carol@customer.example", []string{"support@support.test"}, raw), "")
	e := h.mustStatus("created", "new conversation")
	stored := string(h.raw(e.ID))
	if strings.Contains(stored, "forged.example") || strings.Contains(stored, "forged2.example") {
		t.Fatalf("forged Authentication-Results kept:\n%s", stored)
	}
	if strings.Count(stored, "Authentication-Results: mx.support.test") != 1 || !strings.Contains(stored, "Authentication-Results: mx.customer.example;") {
		t.Fatalf("want ours once and the other host's kept:\n%s", stored)
	}
}

// A DNS server that does not answer: 451 4.7.5 (the sender retries),
// never a 5xx; logged as rejected with temperror.
func TestDNSTimeoutDefers(t *testing.T) {
	h, key := authHarness(t, harnessOpts{dnsWait: time.Second})
	good := signed(t, key, "shop.example", mail("Sam <sam@shop.example>", "support@support.test", "Order 1", "o1@shop.example", "", "Where is it?\n"))
	h.dns.Drop("", true)
	got := h.sendFrom("127.0.0.5", "mx.shop.example", "sam@shop.example", []string{"support@support.test"}, good)
	wantReply(t, "DNS down", got, "451 4.7.5")
	e := h.mustStatus("rejected", "dmarc=temperror")
	if e.Auth == nil || e.Auth.DMARC != "temperror" {
		t.Fatalf("auth %+v", e.Auth)
	}
	h.dns.Drop("", false)
	wantReply(t, "DNS back", h.sendFrom("127.0.0.5", "mx.shop.example", "sam@shop.example", []string{"support@support.test"}, good), "")
	h.mustStatus("created", "new conversation")
}

// A mailing list of DESKGATE_ARC_TRUSTED (list.test here) forwards a
// p=reject domain's mail, changed (DKIM broken), with its ARC seal
// (dkimpy): accepted, still unverified. The same from an untrusted
// sealer is refused.
func TestTrustedARCLiftsReject(t *testing.T) {
	h, key := authHarness(t, harnessOpts{})
	h.dns.AddTXT("arc._domainkey.list.test", key.Record)
	h.dns.AddTXT("arc._domainkey.other.test", key.Record)
	orig := dkimpy.Sign(t, dkimpy.CRLF(mail("Sam <sam@shop.example>", "support@support.test", "Order 4", "o4@shop.example", "", "Hello via the list.\n")), key, "sel", "shop.example")
	for _, c := range []struct {
		sealer, want string
	}{{"list.test", ""}, {"other.test", "550 5.7.1"}} {
		// The list's own Authentication-Results, then its change, then its seal.
		ar := "Authentication-Results: mx." + c.sealer + "; spf=pass smtp.mailfrom=shop.example; dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example\r\n"
		changed := strings.Replace(ar+string(orig), "Subject: Order 4", "Subject: [list] Order 4", 1)
		sealed := string(dkimpy.ARCSeal(t, []byte(changed), key, "arc", c.sealer, "mx."+c.sealer))
		got := h.sendFrom("127.0.0.7", "mx."+c.sealer, "bounces@"+c.sealer, []string{"support@support.test"}, sealed)
		wantReply(t, "sealed by "+c.sealer, got, c.want)
		if c.want != "" {
			continue
		}
		e := h.mustStatus("created", "fails DMARC")
		if e.Auth == nil || e.Auth.ARC != "pass" || e.Auth.DMARC != "fail" {
			t.Fatalf("auth %+v", e.Auth)
		}
		if ms := h.messages(e.ConversationID); len(ms) != 1 || !ms[0].Unverified {
			t.Fatalf("messages %+v", ms)
		}
	}
}
