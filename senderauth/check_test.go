package senderauth_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/emersion/go-msgauth/authres"
)

// world is a DNS zone on loopback where example.org publishes SPF (only
// 127.0.0.5 may send), a DKIM key and DMARC p=reject.
type world struct {
	dns *dnstest.Server
	key signingKey
	c   *senderauth.Checker
	r   *senderauth.Resolver
}

func newWorld(t *testing.T, trusted ...string) *world {
	t.Helper()
	w := &world{dns: dnstest.Start(t), key: newKey(t)}
	w.dns.Add(t,
		`example.org. 300 IN TXT "v=spf1 ip4:127.0.0.5 -all"`,
		`_dmarc.example.org. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"`,
		`relaxed.test. 300 IN TXT "v=spf1 -all"`,
		`_dmarc.relaxed.test. 300 IN TXT "v=DMARC1; p=none"`,
		`strict.test. 300 IN TXT "v=spf1 -all"`,
		`_dmarc.strict.test. 300 IN TXT "v=DMARC1; p=reject; adkim=s"`,
		`_dmarc.org.test. 300 IN TXT "v=DMARC1; p=none; sp=quarantine"`,
		`list.test. 300 IN TXT "v=spf1 ip4:127.0.0.7 -all"`,
	)
	publish(w.dns, w.key, "sel", "example.org")
	publish(w.dns, w.key, "sel", "mail.relaxed.test")
	publish(w.dns, w.key, "sel", "mail.strict.test")
	publish(w.dns, w.key, "arc", "list.test")
	var err error
	w.r, err = senderauth.NewResolver(senderauth.ResolverOptions{Server: w.dns.Addr, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.c = senderauth.New(w.r, senderauth.Options{ARCTrusted: trusted})
	return w
}

func (w *world) check(ip, mailFrom string, raw []byte) *senderauth.Results {
	return w.c.Check(context.Background(), senderauth.Input{IP: net.ParseIP(ip), Helo: "client.example.org", MailFrom: mailFrom, Raw: raw})
}

func msg(from, subject string) []byte {
	return crlf("From: Carol <" + from + ">\nTo: support@support.test\nSubject: " + subject +
		"\nMessage-ID: <m1@example.org>\nDate: Thu, 03 Dec 2026 10:00:00 +0000\n\nHello.\nSecond line.  \n")
}

func want(t *testing.T, r *senderauth.Results, spf, dkim, dmarc, arc string) {
	t.Helper()
	if r.SPF != spf || r.DKIM != dkim || r.DMARC != dmarc || r.ARC != arc {
		t.Fatalf("got spf=%s dkim=%s dmarc=%s arc=%s, want spf=%s dkim=%s dmarc=%s arc=%s (reason %q, sigs %+v)",
			r.SPF, r.DKIM, r.DMARC, r.ARC, spf, dkim, dmarc, arc, r.Reason, r.Signatures)
	}
}

// A dkimpy-signed mail from an authorised IP passes everything; the same
// From from another IP without a signature fails DMARC under p=reject.
func TestSignedMailPassesForgedFails(t *testing.T) {
	w := newWorld(t)
	signed := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "sel", "example.org")
	r := w.check("127.0.0.5", "carol@example.org", signed)
	want(t, r, "pass", "pass", "pass", "none")
	if !r.Trusted() || r.Unverified() || r.Policy != "reject" || r.FromDomain != "example.org" {
		t.Fatalf("signed: %+v", r)
	}
	if r.SPFHelo == "" {
		t.Error("HELO identity not checked")
	}
	forged := w.check("127.0.0.9", "carol@example.org", msg("carol@example.org", "Printer"))
	want(t, forged, "fail", "none", "fail", "none")
	if forged.Trusted() || !forged.Unverified() || forged.Policy != "reject" {
		t.Fatalf("forged: %+v", forged)
	}
	// A valid signature of another domain does not vouch for the From.
	other := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "arc", "list.test")
	r = w.check("127.0.0.9", "bounce@list.test", other)
	want(t, r, "fail", "pass", "fail", "none")
	// Tampered after signing.
	tampered := bytes.Replace(signed, []byte("Hello."), []byte("Pay me."), 1)
	r = w.check("127.0.0.9", "carol@example.org", tampered)
	want(t, r, "fail", "fail", "fail", "none")
}

// Relaxed alignment is by organizational domain: a signature of
// mail.relaxed.test aligns with From: relaxed.test; adkim=s does not.
func TestAlignmentByOrganizationalDomain(t *testing.T) {
	w := newWorld(t)
	r := w.check("127.0.0.9", "x@relaxed.test", dkimSign(t, msg("ann@relaxed.test", "Hi"), w.key, "sel", "mail.relaxed.test"))
	want(t, r, "fail", "pass", "pass", "none")
	if !r.Trusted() || len(r.Signatures) != 1 || !r.Signatures[0].Aligned {
		t.Fatalf("relaxed: %+v", r)
	}
	r = w.check("127.0.0.9", "x@strict.test", dkimSign(t, msg("ann@strict.test", "Hi"), w.key, "sel", "mail.strict.test"))
	want(t, r, "fail", "pass", "fail", "none")
	for _, c := range []struct {
		from, d string
		strict  bool
		want    bool
	}{
		{"example.com", "mail.example.com", false, true},
		{"a.example.com", "b.example.com", false, true},
		{"example.co.uk", "other.co.uk", false, false},
		{"example.com", "example.com.evil.test", false, false},
		{"example.com", "mail.example.com", true, false},
		{"EXAMPLE.com.", "example.COM", true, true},
	} {
		if got := senderauth.Aligned(c.from, c.d, c.strict); got != c.want {
			t.Errorf("Aligned(%s, %s, strict %v) = %v", c.from, c.d, c.strict, got)
		}
	}
	// No record at sub.org.test: the organizational domain's sp= applies.
	r = w.check("127.0.0.9", "x@sub.org.test", msg("a@sub.org.test", "Hi"))
	if r.DMARC != "fail" || r.Policy != "quarantine" || r.OrgDomain != "org.test" {
		t.Fatalf("subdomain policy: %+v", r)
	}
	// No record anywhere: none, not unverified, not trusted.
	r = w.check("127.0.0.9", "x@nowhere.test", msg("a@nowhere.test", "Hi"))
	if r.DMARC != "none" || r.Unverified() || r.Trusted() {
		t.Fatalf("no record: %+v", r)
	}
}

// A DNS server that does not answer is temperror, never fail.
func TestDNSTimeoutIsTempError(t *testing.T) {
	w := newWorld(t)
	signed := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "sel", "example.org")
	w.dns.Drop("", true)
	r, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: w.dns.Addr, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := senderauth.New(r, senderauth.Options{})
	res := c.Check(context.Background(), senderauth.Input{IP: net.ParseIP("127.0.0.5"), Helo: "x.example.org", MailFrom: "carol@example.org", Raw: signed})
	want(t, res, "temperror", "temperror", "temperror", "none")
	if res.Trusted() || !res.Unverified() {
		t.Fatalf("%+v", res)
	}
}

// A list that changes the mail breaks DKIM; its ARC seal (dkimpy) carries
// the original verdict, and is trusted only for DESKGATE_ARC_TRUSTED.
func TestARCChain(t *testing.T) {
	w := newWorld(t, "list.test")
	signed := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "sel", "example.org")
	// The list receives the mail, writes its Authentication-Results,
	// tags the subject (breaking DKIM) and seals what it sends on.
	received := append([]byte(w.check("127.0.0.5", "carol@example.org", signed).Header("mx.list.test")), signed...)
	modified := bytes.Replace(received, []byte("Subject: Printer"), []byte("Subject: [list] Printer"), 1)
	sealed := arcSeal(t, modified, w.key, "arc", "list.test", "mx.list.test")
	r := w.check("127.0.0.7", "bounce@list.test", sealed)
	if r.ARC != "pass" || !r.ARCTrusted || r.DMARC != "fail" || len(r.ARCSealers) != 1 || r.ARCSealers[0] != "list.test" {
		t.Fatalf("sealed: %+v", r)
	}
	// A second hop seals again: i=2, cv=pass.
	twice := arcSeal(t, append([]byte(w.check("127.0.0.7", "bounce@list.test", sealed).Header("mx2.list.test")), sealed...), w.key, "arc", "list.test", "mx2.list.test")
	if r := w.check("127.0.0.7", "bounce@list.test", twice); r.ARC != "pass" || len(r.ARCSealers) != 2 {
		t.Fatalf("two sets: %+v", r)
	}
	// Not trusted without the list in DESKGATE_ARC_TRUSTED.
	other := senderauth.New(w.r, senderauth.Options{ARCTrusted: []string{"else.test"}})
	if r := other.Check(context.Background(), senderauth.Input{IP: net.ParseIP("127.0.0.7"), MailFrom: "bounce@list.test", Raw: sealed}); r.ARC != "pass" || r.ARCTrusted {
		t.Fatalf("untrusted sealer: %+v", r)
	}
	// Changed after sealing: the message signature breaks.
	tampered := bytes.Replace(sealed, []byte("Hello."), []byte("Pay me."), 1)
	if r := w.check("127.0.0.7", "bounce@list.test", tampered); r.ARC != "fail" || r.ARCTrusted {
		t.Fatalf("tampered: %+v", r)
	}
	// A seal field altered: the seal breaks.
	broken := bytes.Replace(sealed, []byte("ARC-Authentication-Results: i=1; mx.list.test"), []byte("ARC-Authentication-Results: i=1; mx.evil.test"), 1)
	if bytes.Equal(broken, sealed) {
		t.Fatal("test did not alter the AAR")
	}
	if r := w.check("127.0.0.7", "bounce@list.test", broken); r.ARC != "fail" {
		t.Fatalf("altered AAR: %+v", r)
	}
}

// The Authentication-Results field parses back (go-msgauth) to the same
// words, and forged ones for our host are stripped, others kept.
func TestAuthResultsHeaderAndStrip(t *testing.T) {
	w := newWorld(t)
	signed := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "sel", "example.org")
	r := w.check("127.0.0.5", "carol@example.org", signed)
	h := r.Header("mx.support.test")
	name, value, _ := strings.Cut(strings.TrimSuffix(h, "\r\n"), ":")
	if name != "Authentication-Results" {
		t.Fatalf("header %q", h)
	}
	id, results, err := authres.Parse(strings.ReplaceAll(value, "\r\n", ""))
	if err != nil || id != "mx.support.test" {
		t.Fatalf("parse %q: %v %q", value, err, id)
	}
	got := map[string]string{}
	for _, res := range results {
		switch x := res.(type) {
		case *authres.SPFResult:
			got["spf"] = string(x.Value)
		case *authres.DKIMResult:
			got["dkim"] = string(x.Value) + " " + x.Domain
		case *authres.DMARCResult:
			got["dmarc"] = string(x.Value) + " " + x.From
		}
	}
	if got["spf"] != "pass" || got["dkim"] != "pass example.org" || got["dmarc"] != "pass example.org" {
		t.Fatalf("parsed %v from %q", got, h)
	}
	forged := crlf("Authentication-Results: MX.support.test; dmarc=pass header.from=example.org\n" +
		"Authentication-Results: mx.other.test; spf=pass\n" +
		"Authentication-Results: (comment) mx.support.test 1;\n\tdkim=pass\nSubject: x\n\nbody\n")
	out, n := senderauth.StripAuthResults(forged, "mx.support.test")
	if n != 2 || string(out) != string(crlf("Authentication-Results: mx.other.test; spf=pass\nSubject: x\n\nbody\n")) {
		t.Fatalf("stripped %d: %q", n, out)
	}
}

// The resolver caches answers for their TTL: a second check of the same
// mail asks the server nothing.
func TestResolverCache(t *testing.T) {
	w := newWorld(t)
	signed := dkimSign(t, msg("carol@example.org", "Printer"), w.key, "sel", "example.org")
	w.check("127.0.0.5", "carol@example.org", signed)
	before := w.dns.Queries()
	r := w.check("127.0.0.5", "carol@example.org", signed)
	if after := w.dns.Queries(); after != before || r.DMARC != "pass" {
		t.Fatalf("warm cache asked %d more queries (dmarc %s)", after-before, r.DMARC)
	}
	// A clock past the TTL asks again.
	now := time.Now()
	res, _ := senderauth.NewResolver(senderauth.ResolverOptions{Server: w.dns.Addr, Now: func() time.Time { return now }})
	ctx := context.Background()
	if _, err := res.LookupTXT(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	q := w.dns.Queries()
	_, _ = res.LookupTXT(ctx, "example.org")
	if w.dns.Queries() != q {
		t.Fatal("not cached")
	}
	now = now.Add(301 * time.Second)
	_, _ = res.LookupTXT(ctx, "example.org")
	if w.dns.Queries() != q+1 {
		t.Fatal("expired entry not asked again")
	}
	// An answer too large for UDP (RFC 7766) is fetched again over TCP.
	big := strings.Repeat("x", 3000)
	w.dns.AddTXT("big.example.org", big)
	if txt, err := res.LookupTXT(ctx, "big.example.org"); err != nil || len(txt) != 1 || txt[0] != big {
		t.Fatalf("large TXT over TCP: %v (%d records)", err, len(txt))
	}
	// Negative answers are cached too, and say "not found".
	_, err := res.LookupTXT(ctx, "_dmarc.nowhere.test")
	var de *net.DNSError
	if !errorsAs(err, &de) || !de.IsNotFound {
		t.Fatalf("NXDOMAIN: %v", err)
	}
}

func errorsAs(err error, de **net.DNSError) bool {
	d, ok := err.(*net.DNSError)
	*de = d
	return ok
}
