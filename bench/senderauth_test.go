package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/smtpd"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/prometheus/client_golang/prometheus"
)

// Inbound durable accept rate with every sender check on (SPF, DKIM,
// DMARC, ARC against a DNS server on loopback, the resolver cache warm)
// versus off, in the same run: 20 kept-open SMTP sessions from 127.0.0.5
// (which shop.example's SPF authorises) send DKIM-signed 2 KB mails of
// shop.example (DMARC p=reject) to the real server over a real store.
// The difference of the two is the cost of the checks per message.
func BenchmarkInboundSenderChecks(b *testing.B) {
	const sessions, perMode = 20, 2000
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	dns := dnstest.Start(b)
	dns.Add(b, `shop.example. 300 IN TXT "v=spf1 ip4:127.0.0.5 -all"`, `_dmarc.shop.example. 300 IN TXT "v=DMARC1; p=reject"`)
	dns.AddTXT("sel._domainkey.shop.example", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(pub))
	// The same signed mails for both modes, signed before any timing.
	mails := make([][]byte, perMode)
	body := strings.Repeat("The printer is on fire again, please send help.\r\n", 36)
	for i := range mails {
		raw := fmt.Sprintf("From: Sam <sam%d@shop.example>\r\nTo: support@support.test\r\nSubject: Order %d\r\nMessage-ID: <o%d@shop.example>\r\n\r\n%s", i%50, i, i, body)
		var out bytes.Buffer
		if err := dkim.Sign(&out, strings.NewReader(raw), &dkim.SignOptions{Domain: "shop.example", Selector: "sel", Signer: key,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
			HeaderKeys: []string{"From", "To", "Subject", "Message-ID"}}); err != nil {
			b.Fatal(err)
		}
		mails[i] = out.Bytes()
	}
	res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: dns.Addr})
	if err != nil {
		b.Fatal(err)
	}
	checker := senderauth.New(res, senderauth.Options{})
	// Warm the cache, and time one check alone.
	in := senderauth.Input{IP: net.ParseIP("127.0.0.5"), Helo: "mx.shop.example", MailFrom: "sam0@shop.example", Raw: mails[0]}
	if r := checker.Check(context.Background(), in); r.DMARC != "pass" || r.SPF != "pass" || r.DKIM != "pass" {
		b.Fatalf("checks do not pass: %+v", r)
	}
	t0 := time.Now()
	const alone = 200
	for range alone {
		checker.Check(context.Background(), in)
	}
	perCheck := time.Since(t0) / alone
	for range b.N {
		// Interleaved rounds (off, on, off, on, ...), the mean of each, so
		// a warm-up or a neighbour's burst does not favour one mode.
		var off, on float64
		const rounds = 3
		for range rounds {
			off += inboundRate(b, nil, mails, sessions) / rounds
			on += inboundRate(b, checker, mails, sessions) / rounds
		}
		b.ReportMetric(off, "msg/s-checks-off")
		b.ReportMetric(on, "msg/s-checks-on")
		b.ReportMetric((1/on-1/off)*1000, "ms/msg-cost-at-20-sessions")
		b.ReportMetric(float64(perCheck.Microseconds()), "µs/check-alone")
	}
}

// inboundRate sends mails over sessions connections to a fresh server
// (checks by checker; nil = off) and returns the accepted messages per
// second.
func inboundRate(b *testing.B, checker *senderauth.Checker, mails [][]byte, sessions int) float64 {
	b.Helper()
	st, err := boltstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("bench key, 32 bytes long........")}, clocktest.New(time.Now()), slog.New(slog.DiscardHandler))
	svc.Inbound.SetInbound(bridge.InboundConfig{Auth: checker})
	srv := smtpd.New(svc.Inbound, smtpd.Options{Hostname: "mx.support.test", Registry: prometheus.NewRegistry(), Log: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.5")}}
			conn, err := d.Dial("tcp", ln.Addr().String())
			if err != nil {
				failed.Add(1)
				return
			}
			c, err := smtp.NewClient(conn, "mx.support.test")
			if err != nil || c.Hello("mx.shop.example") != nil {
				failed.Add(1)
				return
			}
			defer c.Quit()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(mails) {
					return
				}
				if err := sendOne(c, fmt.Sprintf("sam%d@shop.example", i%50), mails[i]); err != nil {
					failed.Add(1)
					b.Log(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d sessions failed", n)
	}
	return float64(len(mails)) / elapsed.Seconds()
}

func sendOne(c *smtp.Client, from string, raw []byte) error {
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt("support@support.test"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	return w.Close()
}
