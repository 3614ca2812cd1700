package outbound

import (
	"net"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/store"
)

// sharedPort finds a port free on every one of ips (MX hosts share the
// MX port).
func sharedPort(t *testing.T, ips ...string) string {
	t.Helper()
	for range 50 {
		first, err := net.Listen("tcp", ips[0]+":0")
		if err != nil {
			t.Fatalf("%s: %v", ips[0], err)
		}
		_, port, _ := net.SplitHostPort(first.Addr().String())
		lns := []net.Listener{first}
		for _, ip := range ips[1:] {
			if ln, err := net.Listen("tcp", ip+":"+port); err == nil {
				lns = append(lns, ln)
			}
		}
		for _, ln := range lns {
			ln.Close()
		}
		if len(lns) == len(ips) {
			return port
		}
	}
	t.Fatalf("no port free on all of %v", ips)
	return ""
}

// refusing answers every connection "421" at the greeting: a temporary
// failure of that MX host (RFC 5321 §3.8).
func refusing(t *testing.T, ln net.Listener) {
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("421 4.3.2 busy, try another MX\r\n"))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
}

// MX delivery through DESKGATE_DNS (a real DNS server on loopback, asked
// by senderauth's resolver): the preferred MX (127.0.0.2) first; the next
// one (127.0.0.3) when the first fails temporarily; a null MX (RFC 7505)
// bounces at once; no MX falls back to the domain's address record.
func TestMXDeliveryThroughDNS(t *testing.T) {
	dns := dnstest.Start(t)
	dns.Add(t,
		"good.test. 300 IN MX 20 mx2.good.test.",
		"good.test. 300 IN MX 10 mx1.good.test.",
		"mx1.good.test. 300 IN A 127.0.0.2",
		"mx2.good.test. 300 IN A 127.0.0.3",
		"busy.test. 300 IN MX 10 mx1.busy.test.",
		"busy.test. 300 IN MX 20 mx2.good.test.",
		"mx1.busy.test. 300 IN A 127.0.0.4",
		"null.test. 300 IN MX 0 .",
		"nomx.test. 300 IN A 127.0.0.3",
	)
	res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: dns.Addr})
	if err != nil {
		t.Fatal(err)
	}
	port := sharedPort(t, "127.0.0.2", "127.0.0.3", "127.0.0.4")
	up1 := startUpstreamAt(t, "127.0.0.2:"+port)
	up2 := startUpstreamAt(t, "127.0.0.3:"+port)
	busy, err := net.Listen("tcp", "127.0.0.4:"+port)
	if err != nil {
		t.Fatalf("127.0.0.4:%s: %v", port, err)
	}
	refusing(t, busy)

	e := newEnv(t, "", func(o *Options) { o.Resolver, o.MXPort = res, port })
	e.start()
	preferred := e.enqueue(1, "a@good.test")
	rec := e.waitState(preferred, store.OutboundSent)
	if !strings.HasPrefix(rec.LastResult, "mx1.good.test:"+port) || len(up1.messages()) != 1 || len(up2.messages()) != 0 {
		t.Fatalf("not delivered to the preferred MX: %q (mx1 %d, mx2 %d)", rec.LastResult, len(up1.messages()), len(up2.messages()))
	}
	fallback := e.enqueue(2, "b@busy.test")
	rec = e.waitState(fallback, store.OutboundSent)
	if !strings.HasPrefix(rec.LastResult, "mx2.good.test:"+port) || rec.Attempts != 1 || len(up2.messages()) != 1 {
		t.Fatalf("no fallback to the next MX in the same attempt: %q, %d attempts", rec.LastResult, rec.Attempts)
	}
	null := e.enqueue(3, "c@null.test")
	rec = e.waitState(null, store.OutboundBounced)
	if !strings.Contains(rec.LastResult, "556 5.1.10") || rec.Attempts != 1 {
		t.Fatalf("null MX: %q after %d attempts", rec.LastResult, rec.Attempts)
	}
	viaA := e.enqueue(4, "d@nomx.test")
	rec = e.waitState(viaA, store.OutboundSent)
	if !strings.HasPrefix(rec.LastResult, "nomx.test:"+port) || len(up2.messages()) != 2 {
		t.Fatalf("A fallback: %q", rec.LastResult)
	}
}
