package senderauth

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// RFC 8601 §2.7 result words used in Results.
const (
	Pass      = "pass"
	Fail      = "fail"
	SoftFail  = "softfail"
	Neutral   = "neutral"
	None      = "none"
	TempError = "temperror"
	PermError = "permerror"
)

// Results is what the checks found for one mail. The four method words
// are what the mail log shows as auth {spf, dkim, dmarc, arc}.
type Results struct {
	SPF   string `json:"spf"`   // of the MAIL FROM identity (the HELO one when MAIL FROM is null)
	DKIM  string `json:"dkim"`  // pass when one signature verifies, else the best other word
	DMARC string `json:"dmarc"` // for the From domain
	ARC   string `json:"arc"`   // none when the mail has no ARC set

	// SPFDomain is the domain SPF was checked for; SPFHelo the result of
	// the HELO identity (RFC 7208 §2.3), "" when not checked.
	SPFDomain string `json:"spf_domain,omitempty"`
	SPFHelo   string `json:"spf_helo,omitempty"`
	// Signatures are the DKIM signatures verified, in header order.
	Signatures []Signature `json:"signatures,omitempty"`
	// FromDomain is the RFC5322.From domain; OrgDomain its
	// organizational domain (RFC 7489 §3.2).
	FromDomain string `json:"from_domain,omitempty"`
	OrgDomain  string `json:"org_domain,omitempty"`
	// Policy is the DMARC policy that applies to FromDomain (p=, or sp=
	// for a subdomain): none, quarantine or reject; "" without a record
	// or when it could not be read.
	Policy string `json:"policy,omitempty"`
	// Aligned: an SPF or DKIM pass of a domain aligned with FromDomain
	// (per the record's aspf/adkim, relaxed without a record). With a
	// DMARC record, Aligned is DMARC pass.
	Aligned bool `json:"aligned"`
	// AlignedFail: the From domain publishes no DMARC record (DMARC none),
	// nothing aligned passes, and an aligned check failed outright: SPF
	// fail, or a DKIM signature that does not verify. SPEC §12 treats it
	// like a DMARC failure (Unverified).
	AlignedFail bool `json:"aligned_fail,omitempty"`
	// ARCTrusted: the ARC chain passes and its newest seal is by a domain
	// of DESKGATE_ARC_TRUSTED.
	ARCTrusted bool `json:"arc_trusted,omitempty"`
	// ARCSealers are the d= of the ARC seals, oldest first.
	ARCSealers []string `json:"arc_sealers,omitempty"`
	// Reason says in words what decided the DMARC result.
	Reason string `json:"reason,omitempty"`
}

// Signature is the result of one DKIM signature.
type Signature struct {
	Domain  string `json:"domain"`
	Result  string `json:"result"`
	Aligned bool   `json:"aligned"`
	Error   string `json:"error,omitempty"`
}

// Unverified reports whether the From may not be believed: DMARC failed,
// or could not be evaluated (temperror, permerror). A From whose domain
// publishes no DMARC record (none) is unverified only when an aligned
// check failed with no aligned pass beside it (AlignedFail, SPEC §12).
func (r *Results) Unverified() bool {
	return (r.DMARC != Pass && r.DMARC != None) || (r.DMARC == None && r.AlignedFail)
}

// Trusted reports whether the From address is proven: an aligned SPF or
// DKIM pass, and no DMARC failure. Posting as a staff user needs this.
func (r *Results) Trusted() bool {
	return r.Aligned && !r.AlignedFail && (r.DMARC == Pass || r.DMARC == None)
}

// Header is the Authentication-Results field (RFC 8601) for these
// results, authserv-id hostname, ending in CRLF.
func (r *Results) Header(hostname string) string {
	spf := &authres.SPFResult{Value: authres.ResultValue(r.SPF)}
	if r.SPFDomain != "" {
		spf.From = r.SPFDomain
	}
	rs := []authres.Result{spf}
	if len(r.Signatures) == 0 {
		rs = append(rs, &authres.DKIMResult{Value: authres.ResultNone})
	}
	for _, s := range r.Signatures {
		rs = append(rs, &authres.DKIMResult{Value: authres.ResultValue(s.Result), Domain: s.Domain})
	}
	rs = append(rs, &authres.DMARCResult{Value: authres.ResultValue(r.DMARC), From: r.FromDomain},
		&authres.GenericResult{Method: "arc", Value: authres.ResultValue(r.ARC), Params: map[string]string{}})
	parts := strings.Split(authres.Format(hostname, rs), "; ")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return "Authentication-Results: " + strings.Join(parts, ";\r\n\t") + "\r\n"
}
