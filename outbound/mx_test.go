package outbound

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store"
	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS answers on 127.0.0.1 (UDP) from a fixed zone: MX records by
// name, A records by name; other names do not exist.
func fakeDNS(t *testing.T, mx map[string][]dnsmessage.MXResource, a map[string]bool) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
			_, hasMX := mx[name]
			exists := hasMX || a[name]
			resp := dnsmessage.Message{Header: dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true}, Questions: []dnsmessage.Question{q}}
			if !exists {
				resp.Header.RCode = dnsmessage.RCodeNameError
			}
			hdr := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
			switch {
			case q.Type == dnsmessage.TypeMX && hasMX:
				for _, r := range mx[name] {
					r := r
					hdr.Type = dnsmessage.TypeMX
					resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: hdr, Body: &r})
				}
			case q.Type == dnsmessage.TypeA && a[name]:
				hdr.Type = dnsmessage.TypeA
				resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: hdr, Body: &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}})
			}
			out, err := resp.Pack()
			if err == nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// Without a smarthost: MX hosts by preference, the domain's own address
// when it has no MX, and permanent failures for a null MX and for a domain
// that does not exist.
func TestDeliveryByMXLookup(t *testing.T) {
	up := startUpstream(t)
	_, port, _ := net.SplitHostPort(up.addr)
	res := fakeDNS(t, map[string][]dnsmessage.MXResource{
		"mx.test":   {{Pref: 20, MX: dnsmessage.MustNewName("backup.mx.test.")}, {Pref: 10, MX: dnsmessage.MustNewName("mail.mx.test.")}},
		"null.test": {{Pref: 0, MX: dnsmessage.MustNewName(".")}},
	}, map[string]bool{"mail.mx.test": true, "nomx.test": true})
	e := newEnv(t, "", func(o *Options) { o.Resolver, o.MXPort = res, port })
	e.start()
	viaMX := e.enqueue(1, "a@mx.test")
	viaA := e.enqueue(2, "b@nomx.test")
	nullMX := e.enqueue(3, "c@null.test")
	missing := e.enqueue(4, "d@missing.test")
	for id, want := range map[uint64]string{viaMX: store.OutboundSent, viaA: store.OutboundSent, nullMX: store.OutboundBounced, missing: store.OutboundBounced} {
		rec := e.waitState(id, want)
		switch id {
		case nullMX:
			if !strings.Contains(rec.LastResult, "556 5.1.10") {
				t.Errorf("null MX: %q", rec.LastResult)
			}
		case missing:
			if !strings.Contains(rec.LastResult, "550 5.1.2") {
				t.Errorf("missing domain: %q", rec.LastResult)
			}
		case viaMX:
			if !strings.HasPrefix(rec.LastResult, "mail.mx.test:"+port) {
				t.Errorf("not delivered to the preferred MX: %q", rec.LastResult)
			}
		case viaA:
			if !strings.HasPrefix(rec.LastResult, "nomx.test:"+port) {
				t.Errorf("not delivered to the domain's address: %q", rec.LastResult)
			}
		}
	}
	if n := len(up.messages()); n != 2 {
		t.Fatalf("upstream got %d, want 2", n)
	}
}
