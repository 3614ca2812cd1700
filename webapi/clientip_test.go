package webapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestIPExtractorTrustsOnlyListedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct {
		name    string
		proxies []netip.Prefix
		remote  string
		xff     string
		want    string
	}{
		{"no proxies: the peer", nil, "10.1.2.3:5555", "203.0.113.9", "10.1.2.3"},
		{"trusted proxy: the forwarded client", trusted, "10.1.2.3:5555", "203.0.113.9", "203.0.113.9"},
		{"untrusted peer: the peer", trusted, "192.0.2.1:5555", "203.0.113.9", "192.0.2.1"},
		{"forged hop before the trusted proxy is skipped only through trusted ones", trusted, "10.1.2.3:5555", "198.51.100.7, 203.0.113.9", "203.0.113.9"},
	} {
		req := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
		req.RemoteAddr = c.remote
		req.Header.Set("X-Forwarded-For", c.xff)
		if got := ipExtractor(c.proxies)(req); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
