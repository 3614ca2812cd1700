package senderauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// OrgDomain is the organizational domain of domain (RFC 7489 §3.2): the
// public suffix plus one label, by the public suffix list. A domain that
// is itself a public suffix is its own organizational domain.
func OrgDomain(domain string) string {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

// Aligned reports whether an authenticated domain aligns with the From
// domain (RFC 7489 §3.1): equal in strict mode; the same organizational
// domain in relaxed mode, so d=mail.example.com aligns with
// From: example.com and the other way round.
func Aligned(fromDomain, authDomain string, strict bool) bool {
	f := strings.ToLower(strings.TrimSuffix(fromDomain, "."))
	a := strings.ToLower(strings.TrimSuffix(authDomain, "."))
	if f == "" || a == "" {
		return false
	}
	if strict {
		return f == a
	}
	return f == a || OrgDomain(f) == OrgDomain(a)
}

// checkDMARC evaluates DMARC for the From domain (RFC 7489 §6.6): the
// record of the From domain, else of its organizational domain (whose sp=
// then applies); pass when an SPF or DKIM pass is aligned; temperror when
// a lookup failed and nothing passed; fail otherwise.
func (c *Checker) checkDMARC(ctx context.Context, fields []field, r *Results) {
	from, err := fromDomain(fields)
	if err != nil {
		r.DMARC, r.Reason = PermError, err.Error()
		return
	}
	r.FromDomain, r.OrgDomain = from, OrgDomain(from)
	rec, err := c.lookupDMARC(ctx, from)
	if err == nil || errors.Is(err, dmarc.ErrNoPolicy) {
		if rec == nil && r.OrgDomain != from {
			var orgRec *dmarc.Record
			orgRec, err = c.lookupDMARC(ctx, r.OrgDomain)
			if orgRec != nil {
				rec = orgRec
				r.Policy = string(orgRec.Policy)
				if orgRec.SubdomainPolicy != "" {
					r.Policy = string(orgRec.SubdomainPolicy)
				}
			}
		} else if rec != nil {
			r.Policy = string(rec.Policy)
		}
	}
	strictSPF := rec != nil && rec.SPFAlignment == dmarc.AlignmentStrict
	strictDKIM := rec != nil && rec.DKIMAlignment == dmarc.AlignmentStrict
	spfAligned := r.SPF == Pass && Aligned(from, r.SPFDomain, strictSPF)
	var dkimAligned []string
	tempFailed := r.SPF == TempError && Aligned(from, r.SPFDomain, strictSPF)
	for i := range r.Signatures {
		s := &r.Signatures[i]
		s.Aligned = Aligned(from, s.Domain, strictDKIM)
		switch {
		case s.Aligned && s.Result == Pass:
			dkimAligned = append(dkimAligned, s.Domain)
		case s.Aligned && s.Result == TempError:
			tempFailed = true
		}
	}
	r.Aligned = spfAligned || len(dkimAligned) > 0
	switch {
	case r.Aligned && len(dkimAligned) > 0:
		r.Reason = "DKIM signature of " + dkimAligned[0] + " aligns with " + from
	case r.Aligned:
		r.Reason = "SPF pass of " + r.SPFDomain + " aligns with " + from
	}
	switch {
	case err != nil && dmarc.IsTempFail(err):
		if r.Aligned {
			// An aligned pass is a pass under any policy.
			r.DMARC = Pass
			r.Reason += " (DMARC record unavailable: " + err.Error() + ")"
			break
		}
		r.DMARC = TempError
		r.Reason = "DMARC record of " + from + " unavailable: " + err.Error()
	case err != nil && !errors.Is(err, dmarc.ErrNoPolicy):
		r.DMARC, r.Reason = PermError, "DMARC record of "+from+": "+err.Error()
	case rec == nil:
		r.DMARC = None
		if !r.Aligned {
			where := from
			if r.OrgDomain != "" && r.OrgDomain != from {
				where += " or " + r.OrgDomain
			}
			r.Reason = "no DMARC record for " + where + "; no aligned SPF or DKIM pass"
			if why := alignedFailure(from, r); why != "" {
				r.AlignedFail = true
				r.Reason = "no DMARC record for " + where + ", and " + why + " with no aligned pass"
			}
		}
	case r.Aligned:
		r.DMARC = Pass
	case tempFailed:
		r.DMARC, r.Reason = TempError, fmt.Sprintf("no aligned pass for %s, and a check failed temporarily (SPF %s)", from, r.SPF)
	default:
		r.DMARC, r.Reason = Fail, fmt.Sprintf("no SPF or DKIM pass aligned with %s (SPF %s for %q, DKIM %s)", from, r.SPF, r.SPFDomain, r.DKIM)
	}
}

// alignedFailure says which check aligned with the From domain failed
// outright, "" when none did: an SPF fail of an aligned domain (the
// domain's own -all), or an aligned DKIM signature that does not verify.
// SPEC §12: without a DMARC record, such a mail is treated like a DMARC
// failure (relaxed alignment, as without a record).
func alignedFailure(from string, r *Results) string {
	if r.SPF == Fail && Aligned(from, r.SPFDomain, false) {
		return "SPF fails for " + r.SPFDomain
	}
	for _, s := range r.Signatures {
		if s.Aligned && s.Result == Fail {
			return "the DKIM signature of " + s.Domain + " fails"
		}
	}
	return ""
}

// lookupDMARC reads _dmarc.<domain> through the Checker's resolver.
func (c *Checker) lookupDMARC(ctx context.Context, domain string) (*dmarc.Record, error) {
	return dmarc.LookupWithOptions(domain, &dmarc.LookupOptions{LookupTXT: func(name string) ([]string, error) {
		return c.dns.LookupTXT(ctx, name)
	}})
}
