package senderauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver is the DNS resolver of the sender checks (SPF, DKIM, DMARC,
// ARC) and of outbound MX delivery: it asks the server DESKGATE_DNS names
// (or those of /etc/resolv.conf) through github.com/miekg/dns, and caches
// answers, positive and negative, for their TTL (RFC 2308 for negative
// answers), so that a busy MX asks once per record and TTL. Failures
// (timeouts, SERVFAIL) are not cached.
//
// Its errors are *net.DNSError, as net.Resolver's are: IsNotFound for
// NXDOMAIN and "no such record", IsTimeout/IsTemporary for the rest, which
// the SPF and DKIM libraries read as temperror. Its method set is that of
// *net.Resolver that spf.DNSResolver and outbound need.
type Resolver struct {
	servers []string
	timeout time.Duration
	now     func() time.Time

	mu    sync.Mutex
	cache map[cacheKey]cacheEntry
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	rrs     []dns.RR
	rcode   int // dns.RcodeSuccess or dns.RcodeNameError
	expires time.Time
}

// Cache bounds.
const (
	maxCacheEntries = 100000
	maxTTL          = time.Hour        // never trust an answer longer
	negativeTTL     = 5 * time.Minute  // cap of a negative answer (RFC 2308 §5)
	defaultTimeout  = 5 * time.Second  // one query, all servers
	minTTL          = 10 * time.Second // floor, so a TTL 0 record still helps a burst
)

// ResolverOptions configure NewResolver.
type ResolverOptions struct {
	// Server is "host:port" of the DNS server to ask (DESKGATE_DNS); empty
	// uses the nameservers of /etc/resolv.conf.
	Server string
	// Timeout bounds one lookup (default 5 s).
	Timeout time.Duration
	// Now is the clock for TTLs (default time.Now).
	Now func() time.Time
}

// NewResolver returns a caching resolver.
func NewResolver(o ResolverOptions) (*Resolver, error) {
	r := &Resolver{timeout: o.Timeout, now: o.Now, cache: map[cacheKey]cacheEntry{}}
	if r.timeout <= 0 {
		r.timeout = defaultTimeout
	}
	if r.now == nil {
		r.now = time.Now
	}
	if o.Server != "" {
		if _, _, err := net.SplitHostPort(o.Server); err != nil {
			return nil, fmt.Errorf("dns server %q: want host:port: %w", o.Server, err)
		}
		r.servers = []string{o.Server}
		return r, nil
	}
	cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(cc.Servers) == 0 {
		r.servers = []string{"127.0.0.1:53"}
		return r, nil
	}
	for _, s := range cc.Servers {
		r.servers = append(r.servers, net.JoinHostPort(s, cc.Port))
	}
	return r, nil
}

// Servers are the DNS servers asked, in order.
func (r *Resolver) Servers() []string { return append([]string(nil), r.servers...) }

// lookup returns the answers of type qtype for name (CNAMEs followed by
// the server), from the cache when fresh.
func (r *Resolver) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	fqdn := dns.Fqdn(strings.ToLower(name))
	if _, ok := dns.IsDomainName(fqdn); !ok || len(fqdn) > 254 {
		return nil, &net.DNSError{Err: "invalid domain name", Name: name, IsNotFound: true}
	}
	k := cacheKey{fqdn, qtype}
	now := r.now()
	r.mu.Lock()
	e, ok := r.cache[k]
	r.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.result(name)
	}
	m, err := r.exchange(ctx, fqdn, qtype)
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: name, Server: strings.Join(r.servers, ","), IsTimeout: isTimeout(err), IsTemporary: true}
	}
	switch m.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, &net.DNSError{Err: "server answered " + dns.RcodeToString[m.Rcode], Name: name, Server: strings.Join(r.servers, ","), IsTemporary: true}
	}
	e = cacheEntry{rcode: m.Rcode}
	ttl := maxTTL
	for _, rr := range m.Answer {
		if rr.Header().Rrtype == qtype {
			e.rrs = append(e.rrs, rr)
		}
		ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
	}
	if len(e.rrs) == 0 {
		ttl = negativeTTL
		for _, rr := range m.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				ttl = min(ttl, time.Duration(min(soa.Minttl, soa.Hdr.Ttl))*time.Second)
			}
		}
	}
	e.expires = now.Add(max(ttl, minTTL))
	r.mu.Lock()
	if len(r.cache) >= maxCacheEntries {
		r.evictLocked(now)
	}
	r.cache[k] = e
	r.mu.Unlock()
	return e.result(name)
}

// evictLocked drops expired entries, and everything when none had.
func (r *Resolver) evictLocked(now time.Time) {
	for k, e := range r.cache {
		if !now.Before(e.expires) {
			delete(r.cache, k)
		}
	}
	if len(r.cache) >= maxCacheEntries {
		clear(r.cache)
	}
}

func (e cacheEntry) result(name string) ([]dns.RR, error) {
	if len(e.rrs) == 0 {
		msg := "no such host"
		if e.rcode == dns.RcodeSuccess {
			msg = "no record of this type"
		}
		return nil, &net.DNSError{Err: msg, Name: name, IsNotFound: true}
	}
	return e.rrs, nil
}

// exchange asks the servers in turn, over UDP with EDNS0, then over TCP
// when the answer was truncated (RFC 7766).
func (r *Resolver) exchange(ctx context.Context, fqdn string, qtype uint16) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	q := new(dns.Msg)
	q.SetQuestion(fqdn, qtype)
	q.SetEdns0(1232, false)
	var last error
	for _, srv := range r.servers {
		c := &dns.Client{Net: "udp", UDPSize: 1232}
		m, _, err := c.ExchangeContext(ctx, q, srv)
		if err == nil && m.Truncated {
			c.Net = "tcp"
			m, _, err = c.ExchangeContext(ctx, q, srv)
		}
		if err == nil {
			return m, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	if last == nil {
		last = errors.New("no DNS server")
	}
	return nil, last
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// LookupTXT returns the TXT records of name, each one's strings joined
// (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return out, nil
}

// LookupMX returns the MX records of name (unsorted, as net.Resolver's
// are sorted by preference: callers sort).
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	return out, nil
}

// LookupIPAddr returns the A and AAAA addresses of host (an IP literal is
// returned as is).
func (r *Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IPAddr{{IP: ip}}, nil
	}
	var out []net.IPAddr
	var errs []error
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := r.lookup(ctx, host, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, rr := range rrs {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, net.IPAddr{IP: a.A})
			case *dns.AAAA:
				out = append(out, net.IPAddr{IP: a.AAAA})
			}
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	for _, err := range errs {
		if de, ok := err.(*net.DNSError); ok && !de.IsNotFound {
			return nil, err // a failure outweighs "not found"
		}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// LookupHost returns the addresses of host as strings.
func (r *Resolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	ips, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.IP.String()
	}
	return out, nil
}

// LookupAddr returns the PTR names of addr (for SPF's "ptr" mechanism,
// RFC 7208 §5.5).
func (r *Resolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: addr, IsNotFound: true}
	}
	rrs, err := r.lookup(ctx, rev, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.PTR).Ptr)
	}
	return out, nil
}
