package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Sign-in and password-reset attempts are counted in fixed windows kept in
// the store, so every node of an installation (SPEC §8) counts against the
// same windows. Every attempt counts, before the password is even looked
// at, and a refused attempt costs no password hash.

// Limit allows N events per Window.
type Limit struct {
	N      int
	Window time.Duration
}

// rateKey is the store key of what is limited: a purpose and a SHA-256
// of the value, so addresses typed at the sign-in form (an unknown one
// may be someone's password) are not kept in the clear.
func rateKey(purpose, value string) string {
	h := sha256.Sum256([]byte(value))
	return purpose + "/" + hex.EncodeToString(h[:16])
}

// clientKey is what a client address is limited by: an IPv4 address, or
// an IPv6 address's /64 (one host usually holds a whole /64).
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// hitLimits counts one attempt under each key and returns the longest
// wait when any count is over its limit (0: allowed).
func hitLimits(tx store.AccountsTx, now time.Time, hits map[string]Limit) (time.Duration, error) {
	var wait time.Duration
	for key, l := range hits {
		if l.N <= 0 {
			continue
		}
		n, end, err := tx.HitRate(key, now, l.Window)
		if err != nil {
			return 0, err
		}
		if n > l.N {
			wait = max(wait, end.Sub(now))
		}
	}
	return wait, nil
}

// rateLimited is the error of an attempt over a limit.
func rateLimited(wait time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Message: "too many attempts, try again later", RetryAfter: max(wait, time.Second)}
}
