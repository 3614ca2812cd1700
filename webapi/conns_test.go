package webapi

import (
	"net"
	"net/netip"
	"testing"
)

// An IPv6 client counts by its /64 against the per-address cap, and a
// trusted proxy only in the total.
func TestConnLimitKeys(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7:1000":              "192.0.2.7",
		"[::ffff:192.0.2.7]:1000":     "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:1000": "2001:db8:1:2::",
		"[2001:db8:1:2:ffff::1]:1000": "2001:db8:1:2::",
		"[2001:db8:1:3::1]:1000":      "2001:db8:1:3::",
		"[::1]:1000":                  "::",
		"not an address:but a string": "invalid IP",
	} {
		a, _ := net.ResolveTCPAddr("tcp", in)
		var got netip.Addr
		if a != nil {
			got = peerAddr(a)
		}
		if got.String() != want {
			t.Errorf("peerAddr(%s) = %s, want %s", in, got, want)
		}
	}
	l := &limitListener{lim: ConnLimits{Shared: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}.withDefaults()}
	if !l.shared(netip.MustParseAddr("10.1.2.3")) || l.shared(netip.MustParseAddr("192.0.2.1")) {
		t.Error("shared addresses")
	}
}
