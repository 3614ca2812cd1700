package senderauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/emersion/go-msgauth/dkim"
)

// DNS is the resolver the checks use (*Resolver, or *net.Resolver).
type DNS interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Options configure a Checker. Zero values take the defaults.
type Options struct {
	// ARCTrusted are the domains whose ARC seal vouches for a forwarded
	// mail (DESKGATE_ARC_TRUSTED).
	ARCTrusted []string
	// MaxSignatures caps the DKIM signatures (and ARC sets) verified per
	// mail (default 5): each costs a DNS lookup and an RSA operation.
	MaxSignatures int
	// Timeout bounds all checks of one mail (default 15 s); what has not
	// answered by then is temperror.
	Timeout time.Duration
	Log     *slog.Logger
}

// Defaults of Options.
const (
	DefaultMaxSignatures = 5
	DefaultTimeout       = 15 * time.Second
)

// Checker runs the checks. It is safe for concurrent use.
type Checker struct {
	dns  DNS
	opts Options
}

// New returns a Checker asking dns.
func New(dns DNS, o Options) *Checker {
	if o.MaxSignatures <= 0 {
		o.MaxSignatures = DefaultMaxSignatures
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	trusted := make([]string, 0, len(o.ARCTrusted))
	for _, d := range o.ARCTrusted {
		trusted = append(trusted, strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")))
	}
	o.ARCTrusted = trusted
	return &Checker{dns: dns, opts: o}
}

// Input is one mail as the SMTP session saw it.
type Input struct {
	IP       net.IP // the client's address; nil when unknown (no SPF)
	Helo     string // the EHLO/HELO name
	MailFrom string // the reverse path; "" is the null sender
	Raw      []byte // the message as received (without our trace field)
	// Mail is Raw read by mailparse.Read, when the caller has it: its
	// header fields are taken from there instead of reading Raw's header
	// again. nil: Raw's header is read here.
	Mail *mailparse.Mail
}

// Check runs SPF, DKIM, ARC and DMARC for in. It never fails: what could
// not be checked is a temperror or permerror in the Results.
func (c *Checker) Check(ctx context.Context, in Input) *Results {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	r := &Results{}
	fields, body := headerFields(in.Raw, in.Mail)
	// SPF and the signatures (DKIM, ARC) are independent: run them side
	// by side (each writes its own fields of r), so a slow DNS costs one
	// timeout, not the sum. DMARC needs both.
	var wg sync.WaitGroup
	wg.Go(func() { c.checkSPF(ctx, in, r) })
	c.checkDKIM(ctx, in.Raw, r)
	c.checkARC(ctx, body, fields, r)
	wg.Wait()
	c.checkDMARC(ctx, fields, r)
	return r
}

// checkSPF evaluates the MAIL FROM identity (the HELO one for the null
// sender, RFC 7208 §2.4), and the HELO identity on its own (§2.3).
func (c *Checker) checkSPF(ctx context.Context, in Input, r *Results) {
	helo := strings.TrimSuffix(strings.TrimSpace(in.Helo), ".")
	sender := in.MailFrom
	r.SPFDomain = domainOf(sender)
	if sender == "" || r.SPFDomain == "" {
		sender, r.SPFDomain = "", strings.ToLower(helo)
	}
	if in.IP == nil {
		r.SPF = None
		return
	}
	opts := []spf.Option{spf.WithContext(ctx), spf.WithResolver(c.dns)}
	if r.SPFDomain == "" || net.ParseIP(strings.Trim(r.SPFDomain, "[]")) != nil {
		r.SPF = None
	} else {
		res, err := spf.CheckHostWithSender(in.IP, helo, sender, opts...)
		r.SPF = string(res)
		if err != nil && res != spf.Pass {
			c.opts.Log.Debug("spf", "domain", r.SPFDomain, "result", res, "err", err)
		}
	}
	if sender != "" && strings.Contains(helo, ".") && net.ParseIP(strings.Trim(helo, "[]")) == nil {
		res, _ := spf.CheckHostWithSender(in.IP, helo, "", opts...)
		r.SPFHelo = string(res)
	}
}

// checkDKIM verifies every signature (at most MaxSignatures) with
// go-msgauth; DNS goes through the Checker's resolver under ctx.
func (c *Checker) checkDKIM(ctx context.Context, raw []byte, r *Results) {
	opts := &dkim.VerifyOptions{
		MaxVerifications: c.opts.MaxSignatures,
		LookupTXT: func(name string) ([]string, error) {
			return c.dns.LookupTXT(ctx, name)
		},
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	for _, v := range vs {
		s := Signature{Domain: strings.ToLower(strings.TrimSuffix(v.Domain, ".")), Result: Pass}
		switch {
		case v.Err == nil:
		case dkim.IsTempFail(v.Err):
			s.Result, s.Error = TempError, v.Err.Error()
		case dkim.IsPermFail(v.Err):
			s.Result, s.Error = PermError, v.Err.Error()
		default:
			s.Result, s.Error = Fail, v.Err.Error()
		}
		r.Signatures = append(r.Signatures, s)
	}
	r.DKIM = None
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) && len(vs) == 0 {
		r.DKIM = PermError
	}
	// One passing signature makes the method pass; else the most telling
	// failure: temperror (retry may pass), then fail, then permerror.
	rank := map[string]int{Pass: 4, TempError: 3, Fail: 2, PermError: 1}
	for _, s := range r.Signatures {
		if rank[s.Result] > rank[r.DKIM] {
			r.DKIM = s.Result
		}
	}
}

// fromDomain returns the domain of the single author of the message, or
// why there is none usable (RFC 7489 §6.6.1: no From, several From fields
// or authors of several domains are not evaluated: permerror).
func fromDomain(fields []field) (string, error) {
	vals := headerValues(fields, "From")
	if len(vals) != 1 {
		return "", fmt.Errorf("%d From fields", len(vals))
	}
	list, err := mail.ParseAddressList(strings.TrimSpace(vals[0]))
	if err != nil || len(list) == 0 {
		// A lenient fallback: the last <...> or the bare address.
		v := vals[0]
		if i := strings.LastIndexByte(v, '<'); i >= 0 {
			v = v[i+1:]
			v, _, _ = strings.Cut(v, ">")
		}
		d := domainOf(strings.TrimSpace(v))
		if d == "" {
			return "", fmt.Errorf("unreadable From %q", vals[0])
		}
		return d, nil
	}
	d := domainOf(list[0].Address)
	for _, a := range list[1:] {
		if domainOf(a.Address) != d {
			return "", errors.New("the From field names authors of several domains")
		}
	}
	if d == "" {
		return "", errors.New("the From address has no domain")
	}
	return d, nil
}

// domainOf is the part of addr after the last @, lower-cased, without a
// trailing dot.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
	}
	return ""
}
