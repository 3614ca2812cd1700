// Package senderauth answers "who really sent it" for an inbound mail
// (SPEC §12): SPF (RFC 7208) for the MAIL FROM and HELO identities, every
// DKIM signature (RFC 6376), DMARC (RFC 7489) for the From domain with
// alignment by organizational domain, and ARC (RFC 8617) where present. It
// takes the connecting IP, the HELO name, the MAIL FROM and the raw
// message, asks DNS through a caching Resolver (DESKGATE_DNS), and returns
// structured Results with RFC 8601 result words, which it also formats as
// an Authentication-Results field.
//
// It is a leaf: it knows nothing of the store or of conversations. The
// trust it implies (who may post as whom, what is refused) is decided by
// the domain (package bridge) from these Results.
//
// Libraries: blitiri.com.ar/go/spf evaluates SPF; go-msgauth verifies DKIM
// signatures, reads DMARC records and formats Authentication-Results;
// golang.org/x/net/publicsuffix gives organizational domains; miekg/dns
// talks to the DNS server. ARC chain validation is written here (arc.go),
// as no maintained Go library does it; it reuses go-msgauth's key lookup
// semantics and the DKIM canonicalization of RFC 6376 §3.4.
package senderauth
