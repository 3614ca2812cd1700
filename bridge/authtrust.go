package bridge

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/deskgate/deskgate/mailerr"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/store"
)

// Who really sent it (SPEC §12). Every inbound mail is checked by package
// senderauth (SPF, DKIM, DMARC with organizational-domain alignment, ARC)
// before the 250, and the domain draws the consequences here:
//   - p=reject: a DMARC fail is refused 550 5.7.1, a DMARC temperror
//     451 4.7.5 (the sender retries; DNS trouble never loses good mail),
//     unless DESKGATE_DMARC_ENFORCE=false or a trusted forwarder's ARC
//     chain passes (DESKGATE_ARC_TRUSTED). A temperror of the DMARC
//     record itself (policy unknown) is treated as p=reject.
//   - a From that fails DMARC (or cannot be evaluated) is unverified: it
//     threads only by reply token, never by In-Reply-To/References,
//     subject tag or participant rule, and its message is marked
//     "unverified".
//   - a From of a staff user's address posts as that user only when the
//     checks prove it (senderauth.Results.Trusted: an aligned SPF or DKIM
//     pass, and DMARC pass or no DMARC record). A reply token of that user
//     is not enough: a forwarded notification carries it.
//   - the stored raw mail gets our Authentication-Results field (RFC
//     8601), after every arriving one that claims our host name is
//     removed (§5).

// Refusals of the sender checks (RFC 7372 §3.3: 5.7.1 / 4.7.5 for DMARC).
var (
	errDMARCReject = func(domain string) *mailerr.Error {
		return mailerr.New(550, "5.7.1", "DMARC policy of "+domain+" rejects this mail: no aligned SPF or DKIM pass")
	}
	errDMARCTemp = func(domain string) *mailerr.Error {
		return mailerr.New(451, "4.7.5", "cannot verify the sender of "+domain+" now (DNS), try again later")
	}
)

// checkSender runs the sender checks of p's mail, refuses it when its
// DMARC policy says so, and otherwise prepares the raw mail to store:
// our trace field, our Authentication-Results, the mail without forged
// ones.
func (s *Inbound) checkSender(ctx context.Context, in *inbound, p *prepared, raw []byte) error {
	if in.cfg.Auth != nil {
		p.auth = in.cfg.Auth.Check(ctx, senderauth.Input{IP: remoteIP(p.env.RemoteAddr), Helo: p.env.Helo, MailFrom: p.env.From, Raw: raw, Mail: p.a.Mail})
		p.unverified = p.auth.Unverified()
		p.a.Auth = p.auth
		if err := s.enforceDMARC(in, p); err != nil {
			s.logRejection(ctx, p.env, p.sender, p.a.Subject, fmt.Sprintf("DATA: %d %s %s (%s; %s)", err.Code, err.Enhanced, err.Message, authWords(p.auth), p.auth.Reason), p.auth)
			return err
		}
	}
	p.trusted, p.trustWhy = staffTrust(p.auth)
	// The checks vouch for the From domain they read; the author is the
	// address the parser read. Should the two ever differ (an odd From
	// two parsers split differently), the checks vouch for nobody.
	if p.auth != nil && p.auth.FromDomain != "" && p.auth.FromDomain != domainOf(p.sender) {
		p.unverified, p.trusted = true, false
		p.trustWhy = fmt.Sprintf("the sender checks read the From domain %q, the author is <%s>", p.auth.FromDomain, p.sender)
	}
	stored := raw
	var ar string
	if p.auth != nil {
		stored, _ = senderauth.StripAuthResultsMail(raw, p.a.Mail, s.cfg.Hostname)
		ar = p.auth.Header(s.cfg.Hostname)
	}
	if p.env.Trace != "" || ar != "" {
		b := make([]byte, 0, len(p.env.Trace)+len(ar)+len(stored))
		b = append(append(append(b, p.env.Trace...), ar...), stored...)
		stored = b
	}
	p.a.Raw = stored
	return nil
}

// enforceDMARC is the p=reject rule; only SMTP can refuse (IMAP mail was
// accepted by another server already).
func (s *Inbound) enforceDMARC(in *inbound, p *prepared) *mailerr.Error {
	r := p.auth
	if in.cfg.DMARCMonitorOnly || p.env.Source != store.SourceSMTP || r.ARCTrusted {
		return nil
	}
	switch {
	case r.DMARC == senderauth.Fail && r.Policy == "reject":
		return errDMARCReject(r.FromDomain)
	case r.DMARC == senderauth.TempError && (r.Policy == "reject" || r.Policy == ""):
		return errDMARCTemp(r.FromDomain)
	}
	return nil
}

// staffTrust says whether a From of a staff user's address is trusted as
// that user (SPEC §3, §12), and why in words.
func staffTrust(r *senderauth.Results) (bool, string) {
	switch {
	case r == nil:
		return false, "sender checks are off"
	case r.Trusted():
		return true, r.Reason
	case r.Reason != "":
		return false, "DMARC " + r.DMARC + ": " + r.Reason
	default:
		return false, "DMARC " + r.DMARC + ": no aligned SPF or DKIM pass"
	}
}

// mailAuth is the mail log's form of r.
func mailAuth(r *senderauth.Results) *store.MailAuth {
	if r == nil {
		return nil
	}
	return &store.MailAuth{SPF: r.SPF, DKIM: r.DKIM, DMARC: r.DMARC, ARC: r.ARC, Reason: r.Reason}
}

// authWords is "spf=… dkim=… dmarc=… arc=…" for a log detail.
func authWords(r *senderauth.Results) string {
	return "spf=" + r.SPF + " dkim=" + r.DKIM + " dmarc=" + r.DMARC + " arc=" + r.ARC
}

// remoteIP is the IP of an "ip:port" (or bare IP) remote address.
func remoteIP(addr string) net.IP {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		addr = h
	}
	return net.ParseIP(strings.Trim(addr, "[]"))
}

// domainOf is the part of addr after the last @, lower-cased.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
	}
	return ""
}
