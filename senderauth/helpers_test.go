package senderauth_test

import (
	"testing"

	"github.com/deskgate/deskgate/internal/dkimpy"
	"github.com/deskgate/deskgate/internal/dnstest"
)

type signingKey = dkimpy.Key

func newKey(t *testing.T) signingKey { return dkimpy.NewKey(t) }

// publish puts k's record at sel._domainkey.domain.
func publish(dns *dnstest.Server, k signingKey, sel, domain string) {
	dns.AddTXT(sel+"._domainkey."+domain, k.Record)
}

func dkimSign(t *testing.T, msg []byte, k signingKey, sel, domain string) []byte {
	return dkimpy.Sign(t, msg, k, sel, domain)
}

func arcSeal(t *testing.T, msg []byte, k signingKey, sel, domain, srvID string) []byte {
	return dkimpy.ARCSeal(t, msg, k, sel, domain, srvID)
}

func crlf(s string) []byte { return dkimpy.CRLF(s) }
