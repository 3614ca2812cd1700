package loopguard

import (
	"strings"
)

// Guard classifies inbound mail for one deskgate instance. It holds no mutable state
// and is safe for concurrent use.
type Guard struct {
	hostname string   // lower-cased
	domains  []string // lower-cased
}

// New returns a Guard for the given identity.
func New(cfg Config) *Guard {
	g := &Guard{hostname: strings.ToLower(strings.TrimSpace(cfg.Hostname))}
	for _, d := range cfg.Domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			g.domains = append(g.domains, d)
		}
	}
	return g
}

// mail is what the rules look at: the envelope sender and the parsed message.
type mail struct {
	envFrom string // lower-cased; "" is the null reverse path
	hdr     header
	body    []byte
	raw     []byte
	subject string   // RFC 2047 decoded
	domains []string // our domains: their addresses are never a bounce's failed recipient

	st *structure // MIME walk, done on first use
}

// structure walks the MIME tree once, on first use.
func (m *mail) structure() *structure {
	if m.st == nil {
		m.st = readStructure(m.raw, m.body)
	}
	return m.st
}

// rule is one step of the classification; ok reports whether it decided.
type rule func(g *Guard, m *mail) (v Verdict, ok bool)

// rules is the fixed order of classification (see the package doc).
var rules = []rule{
	ownRule,
	reportRule,
	bounceRule,
	autoReplyHeaderRule,
	listRule,
	systemSenderRule,
	outOfOfficeRule,
	nullSenderRule,
}

// analysisFailed is the reason of the verdict given when a rule panicked (a bug):
// the mail is taken for machine mail, never answered.
const analysisFailed = "message could not be analysed; treated as machine mail"

// Classify looks at the envelope sender (MAIL FROM, "" = null reverse path) and the
// raw message (headers and, for DSNs, body) and says who wrote it. Never panics: a
// panic in a rule (a bug) is turned into a non-human verdict, so that broken input
// can never make deskgate answer.
func (g *Guard) Classify(envFrom string, raw []byte) (v Verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = Verdict{Class: Bounce, Reason: analysisFailed}
		}
	}()
	raw = stripMboxLine(raw)
	hdr, body := splitMessage(raw)
	m := &mail{
		envFrom: strings.ToLower(strings.Trim(strings.TrimSpace(envFrom), "<>")),
		hdr:     hdr,
		body:    body,
		raw:     raw,
		subject: decodeText(hdr.get("subject")),
		domains: g.domains,
	}
	for _, r := range rules {
		if v, ok := r(g, m); ok {
			return v
		}
	}
	return Verdict{Class: Human, Reason: humanReason(m)}
}

// humanReason says why a mail is a person's, naming the headers that look
// automatic but are not (see autoReplyHeaderRule).
func humanReason(m *mail) string {
	r := "no automatic-mail header or rule matched"
	if v, ok := m.hdr.lookup("x-auto-response-suppress"); ok {
		r += "; X-Auto-Response-Suppress: " + trimReason(v) + " asks not to be auto-answered and is not a sign of automatic mail"
	}
	if v, ok := m.hdr.lookup("x-ms-exchange-inbox-rules-loop"); ok {
		r += "; X-MS-Exchange-Inbox-Rules-Loop: " + trimReason(v) + " (passed on by an Exchange inbox rule) is a person's mail"
	}
	return r
}

// ownRule recognises mail deskgate sent: our origin header, one of our Message-IDs,
// or our own VERP bounce address as envelope sender. A reply whose In-Reply-To names
// one of our ids is a human's answer and is not looked at here.
func ownRule(g *Guard, m *mail) (Verdict, bool) {
	if g.hostname != "" {
		if v, ok := m.hdr.lookup(OwnHeader); ok && strings.EqualFold(strings.TrimSpace(v), g.hostname) {
			return Verdict{Class: Own, Reason: OwnHeader + ": " + trimReason(v) + " (sent by this deskgate)"}, true
		}
		if id := firstID(m.hdr.get("message-id")); g.isOwnID(id, cleanAddress(m.hdr.get("from"))) {
			return Verdict{Class: Own, Reason: "Message-ID <" + trimReason(id) + "> is on this deskgate's host name"}, true
		}
	}
	if g.isOwnBounceAddress(m.envFrom) {
		return Verdict{Class: Own, Reason: "envelope sender " + trimReason(m.envFrom) + " is this deskgate's own bounce address"}, true
	}
	return Verdict{}, false
}

// isOwnBounceAddress reports whether addr is one of our VERP envelope senders
// (bounce+TOKEN@ one of our domains): mail carrying it was sent by us and came back
// through a forwarder.
func (g *Guard) isOwnBounceAddress(addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || !strings.HasPrefix(local, "bounce+") {
		return false
	}
	for _, d := range g.domains {
		if domain == d {
			return true
		}
	}
	return false
}

// isOwnID reports whether id (without <>) is on our host name (RFC 5322
// §3.6.4: the right side names the host that generated it): deskgate's own
// "dg.*@hostname", or any id on our host name in a mail whose From is not
// on it (an MTA on our host added it). A mail client names ids after its
// user's From domain (Thunderbird does): when staff write from an address
// on our host name, only deskgate's "dg." ids are ours.
func (g *Guard) isOwnID(id, from string) bool {
	local, host, ok := strings.Cut(strings.ToLower(id), "@")
	if !ok || local == "" || host != g.hostname {
		return false
	}
	_, fromDomain, _ := strings.Cut(strings.ToLower(from), "@")
	return strings.HasPrefix(local, "dg.") || fromDomain != g.hostname
}

// firstID returns the first <id> of a Message-ID-like value, without <>; a value
// without angle brackets is returned trimmed.
func firstID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		rest := v[i+1:]
		if j := strings.IndexByte(rest, '>'); j >= 0 {
			return strings.TrimSpace(rest[:j])
		}
		return strings.TrimSpace(rest)
	}
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}

// nullSenderRule: a null reverse path (RFC 5321 §4.5.5) is only used by machines
// (DSNs, MDNs, RFC 3834 auto-replies); with no other sign it is taken for a bounce.
func nullSenderRule(_ *Guard, m *mail) (Verdict, bool) {
	if m.envFrom == "" {
		return Verdict{Class: Bounce, Reason: "null reverse path MAIL FROM:<> (RFC 5321 §4.5.5)"}, true
	}
	return Verdict{}, false
}
