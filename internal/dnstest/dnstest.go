// Package dnstest is an authoritative DNS server on loopback for tests:
// records come from a table the test fills, it answers over UDP and TCP
// on one port the system picks, and it can drop every query to make a
// client time out. It is built on github.com/miekg/dns, the DNS library
// CoreDNS is made of, rather than a hand-written wire format.
package dnstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Server is a running authoritative server. Its zero value is not usable:
// call Start.
type Server struct {
	// Addr is the host:port it answers on, UDP and TCP.
	Addr string

	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case FQDN
	drop    map[string]bool     // names whose queries are dropped ("" = all)
	queries atomic.Int64
	stop    func()
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1")
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Listen runs a server on ip (UDP and TCP, one port the system picks)
// until Close; for programs (cmd/dnstest) rather than tests.
func Listen(ip string) (*Server, error) {
	s := &Server{records: map[string][]dns.RR{}, drop: map[string]bool{}}
	var udp net.PacketConn
	var tcp net.Listener
	// UDP and TCP on the same port: pick a UDP port, then take the same
	// TCP port; another process may hold it, so try a few times.
	for i := 0; i < 20 && tcp == nil; i++ {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			continue
		}
		udp, tcp = pc, ln
	}
	if tcp == nil {
		return nil, errors.New("no port free for both UDP and TCP")
	}
	s.Addr = udp.LocalAddr().String()
	h := dns.HandlerFunc(s.serve)
	us := &dns.Server{PacketConn: udp, Handler: h}
	ts := &dns.Server{Listener: tcp, Handler: h}
	go func() { _ = us.ActivateAndServe() }()
	go func() { _ = ts.ActivateAndServe() }()
	s.stop = func() {
		_ = us.Shutdown()
		_ = ts.Shutdown()
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.stop() }

// Add puts records into the zone, each in zone-file syntax
// ("example.com. 300 IN MX 10 mx.example.com."). A bad record fails the test.
func (s *Server) Add(t testing.TB, lines ...string) {
	t.Helper()
	if err := s.AddRecords(lines...); err != nil {
		t.Fatal(err)
	}
}

// AddRecords is Add for programs: it returns the first bad record.
func (s *Server) AddRecords(lines ...string) error {
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			return fmt.Errorf("dnstest: record %q: %w", l, err)
		}
		if rr == nil {
			continue // a blank line or a comment
		}
		s.put(rr)
	}
	return nil
}

// AddTXT adds a TXT record of any length, split into strings of at most
// 255 bytes (RFC 1035 §3.3.14) as a DKIM key needs.
func (s *Server) AddTXT(name, value string) {
	var parts []string
	for len(value) > 255 {
		parts, value = append(parts, value[:255]), value[255:]
	}
	parts = append(parts, value)
	s.put(&dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: parts})
}

func (s *Server) put(rr dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.ToLower(rr.Header().Name)
	s.records[name] = append(s.records[name], rr)
}

// Drop makes the server ignore queries for name (all names when name is
// ""), so that clients time out; Drop(name, false) answers again.
func (s *Server) Drop(name string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToLower(name)
	if name != "" {
		name = dns.Fqdn(name)
	}
	if on {
		s.drop[name] = true
	} else {
		delete(s.drop, name)
	}
}

// Queries is how many queries arrived so far (answered or dropped).
func (s *Server) Queries() int64 { return s.queries.Load() }

// Resolver is a Go resolver that asks only this server.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: 5 * time.Second}
		return d.DialContext(ctx, network, s.Addr)
	}}
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	dropped := s.drop[""] || s.drop[name]
	rrs := append([]dns.RR(nil), s.records[name]...)
	s.mu.Unlock()
	if dropped {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(rrs) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype == q.Qtype || (rr.Header().Rrtype == dns.TypeCNAME && q.Qtype != dns.TypeCNAME) {
			c := dns.Copy(rr)
			c.Header().Name = q.Name
			m.Answer = append(m.Answer, c)
		}
	}
	if len(m.Answer) == 0 {
		m.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
			Ns: "ns.test.", Mbox: "hostmaster.test.", Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 60}}
	}
	m.Truncate(dnsSize(w, req))
	_ = w.WriteMsg(m)
}

// dnsSize is the largest answer the client takes: 512 over UDP unless it
// offers EDNS0 (RFC 6891), unlimited over TCP.
func dnsSize(w dns.ResponseWriter, req *dns.Msg) int {
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		return dns.MaxMsgSize
	}
	if o := req.IsEdns0(); o != nil {
		return int(o.UDPSize())
	}
	return dns.MinMsgSize
}
