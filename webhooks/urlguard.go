package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// A webhook URL must not make deskgate a proxy into its own network: URLs
// whose host is or resolves to a loopback, private, link-local,
// unspecified or multicast address are refused when the webhook is saved,
// and the connection of every attempt is checked again (a name that
// resolves elsewhere later, DNS rebinding), unless AllowPrivate
// (DESKGATE_WEBHOOK_ALLOW_PRIVATE=true).

// errPrivate is the refusal of a private target.
var errPrivate = errors.New("resolves to a loopback, private or link-local address (set DESKGATE_WEBHOOK_ALLOW_PRIVATE=true to allow)")

// privateAddr reports whether a is not a public unicast address.
func privateAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a) // carrier-grade NAT (RFC 6598)
}

// checkURL validates a webhook URL: http or https, a host, no user info,
// and (unless allowPrivate) only public addresses.
func checkURL(ctx context.Context, raw string, allowPrivate bool, resolver *net.Resolver) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("url: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("url: must be http:// or https://")
	case u.Hostname() == "":
		return errors.New("url: a host is required")
	case u.User != nil:
		return errors.New("url: must not carry a user name or password")
	case len(raw) > 2000:
		return errors.New("url: at most 2000 bytes")
	}
	if allowPrivate {
		return nil
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		if privateAddr(a) {
			return fmt.Errorf("url: %s %w", u.Hostname(), errPrivate)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		return fmt.Errorf("url: cannot resolve %s: %v", u.Hostname(), err)
	}
	for _, a := range addrs {
		if privateAddr(a) {
			return fmt.Errorf("url: %s %w", u.Hostname(), errPrivate)
		}
	}
	return nil
}

// guardedDialer refuses connections to private addresses, checked on
// the address actually dialled.
func guardedDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || privateAddr(ap.Addr()) {
				return fmt.Errorf("webhook target %s %w", address, errPrivate)
			}
			return nil
		}
	}
	return d
}
