package bridge

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// SPEC §3: "A From of a user's address whose DKIM/SPF/DMARC check fails is
// not trusted as that user." deskgate trusts a From of a staff user's
// address only when
//   - the mail came to a reply token that names that user (the token is
//     unforgeable and was only ever sent to that user), or
//   - a DKIM signature (RFC 6376) that covers From verifies for the From
//     domain or a parent domain of it (relaxed alignment, RFC 7489 §3.1.1).
// Otherwise the mail is not posted as that user: it is logged
// `suppressed` with the reason, raw kept for the admin.

// maxDKIMSignatures caps how many signatures one mail may make us verify.
const maxDKIMSignatures = 5

// dkimVouches reports whether a valid DKIM signature of fromDomain (or a
// parent of it) covers the From field of raw, and says why in words.
func (in *inbound) dkimVouches(ctx context.Context, raw []byte, fromDomain string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, in.cfg.DKIMTimeout)
	defer cancel()
	lookup := in.cfg.LookupTXT
	opts := &dkim.VerifyOptions{
		MaxVerifications: maxDKIMSignatures,
		LookupTXT: func(domain string) ([]string, error) {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("dkim lookup %s: %w", domain, ctx.Err())
			}
			return lookup(ctx, domain)
		},
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	if err != nil && len(vs) == 0 {
		return false, "DKIM: " + err.Error()
	}
	if len(vs) == 0 {
		return false, "no DKIM signature"
	}
	var why []string
	for _, v := range vs {
		switch {
		case v.Err != nil:
			why = append(why, fmt.Sprintf("d=%s: %v", v.Domain, v.Err))
		case !aligned(fromDomain, v.Domain):
			why = append(why, fmt.Sprintf("d=%s does not align with %s", v.Domain, fromDomain))
		case !signsFrom(v.HeaderKeys):
			why = append(why, fmt.Sprintf("d=%s does not sign From", v.Domain))
		default:
			return true, "DKIM signature of " + v.Domain + " verifies"
		}
	}
	return false, "DKIM: " + strings.Join(why, "; ")
}

// aligned: the signing domain is the From domain or a parent of it.
func aligned(fromDomain, d string) bool {
	fromDomain, d = strings.ToLower(fromDomain), strings.ToLower(strings.TrimSuffix(d, "."))
	return d != "" && (fromDomain == d || strings.HasSuffix(fromDomain, "."+d)) && strings.Contains(d, ".")
}

func signsFrom(keys []string) bool {
	for _, k := range keys {
		if strings.EqualFold(strings.TrimSpace(k), "from") {
			return true
		}
	}
	return false
}

// defaultLookupTXT resolves TXT records with the system resolver.
func defaultLookupTXT(ctx context.Context, domain string) ([]string, error) {
	return net.DefaultResolver.LookupTXT(ctx, domain)
}

// domainOf is the part of addr after the last @, lower-cased.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}
