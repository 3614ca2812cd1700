package loopguard

import (
	"regexp"
	"strings"
)

// addrRe matches an email address in free text.
var addrRe = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+\-=/!#$&'*?^{|}~]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+`)

// originalMarkers start the copy of the returned message inside a bounce text;
// nothing after them describes the failure.
var originalMarkers = []string{
	"--- below this line is a copy of the message", // qmail
	"------ this is a copy of the message",         // Exim
	"----- original message -----",
	"-----original message-----",
	"----- the original message follows",
	"original message follows",
	"------ original message ------",
	"--- original message ---",
	"----- unsent message follows -----", // Sendmail
	"----- message header follows -----",
	"------ the header of the original message",
	"the original message was:",
	"original message headers:",
	"---------- forwarded message ----------",
	"\nreturn-path: <",
	"\nreceived: from",
	"\ncontent-type: message/rfc822",
}

// failureText is the part of a bounce text that describes the failure: up to the
// copy of the returned message.
func failureText(text string) string {
	lower := lowerASCII(text)
	cut := len(text)
	for _, mk := range originalMarkers {
		if i := strings.Index(lower, mk); i >= 0 && i < cut && i > 0 {
			cut = i
		}
	}
	return text[:cut]
}

// dsn assembles what the message says about the failed delivery: the RFC 3464
// fields when there are any, else what the bounce text says; the returned message's
// Message-ID; specific statuses where only generic ones were given. nil when nothing
// was found.
func (m *mail) dsn() *DSN {
	s := m.structure()
	d := &DSN{}
	if s.dsn != nil {
		*d = *s.dsn
		d.Recipients = append([]DSNRecipient(nil), s.dsn.Recipients...)
	}
	fail := failureText(s.text)
	if len(d.Recipients) == 0 {
		if ses := sesDSN(s.text); ses != nil {
			d.Recipients = ses.Recipients
			d.OriginalMessageID = ses.OriginalMessageID
		}
	}
	if len(d.Recipients) == 0 {
		if scanned := scanDSNFields([]byte(s.text)); len(scanned.Recipients) > 0 {
			d.Recipients = scanned.Recipients
		}
	}
	if len(d.Recipients) == 0 {
		d.Recipients = m.failedRecipientsHeader(fail)
	}
	if len(d.Recipients) == 0 {
		if r, ok := m.textRecipient(fail); ok {
			d.Recipients = append(d.Recipients, r)
		}
	}
	lowerFail := lowerASCII(fail)
	for i := range d.Recipients {
		r := &d.Recipients[i]
		r.Status = refineStatus(r.Status, r.Diagnostic)
		if r.Address != "" && (r.Status == "" || strings.HasSuffix(r.Status, ".0.0")) {
			// The report's human-readable part often gives the code per recipient.
			if j := strings.Index(lowerFail, r.Address); j >= 0 {
				r.Status = refineStatus(r.Status, diagnosticNear(fail, j+len(r.Address)))
			}
		}
		if r.Status == "" {
			r.Status = textStatus(r.Diagnostic)
		}
		if r.Status == "" && len(d.Recipients) == 1 {
			r.Status = textStatus(fail)
		}
	}
	if d.OriginalMessageID == "" {
		d.OriginalMessageID = s.returnedMessageID()
	}
	if d.OriginalMessageID == "" {
		d.OriginalMessageID = inlineMessageID(s.text, fail)
	}
	if len(d.Recipients) == 0 && d.OriginalMessageID == "" && d.OriginalEnvelopeID == "" {
		return nil
	}
	return d
}

// failedRecipientsHeader reads X-Failed-Recipients (Exim, Gmail): the addresses the
// bounce is about, each with the line of the text that explains it.
func (m *mail) failedRecipientsHeader(fail string) []DSNRecipient {
	var out []DSNRecipient
	for _, a := range addrRe.FindAllString(m.hdr.get("x-failed-recipients"), 8) {
		a = strings.ToLower(a)
		diag := ""
		if i := strings.Index(lowerASCII(fail), a); i >= 0 {
			diag = diagnosticNear(fail, i+len(a))
		}
		out = append(out, DSNRecipient{Address: a, Action: "failed", Diagnostic: diag})
	}
	return out
}

// textStatus is the enhanced code a text states, else the one its words imply.
func textStatus(text string) string {
	if st := findStatus(text); st != "" {
		return st
	}
	return inferStatus(text)
}

// textRecipient finds the failed recipient a non-standard bounce names: the first
// address in the failure text that is not the bounce's own sender or recipient.
func (m *mail) textRecipient(fail string) (DSNRecipient, bool) {
	skip := map[string]bool{}
	for _, name := range []string{"from", "to", "reply-to", "sender", "return-path"} {
		for _, a := range addrRe.FindAllString(m.hdr.get(name), -1) {
			skip[strings.ToLower(a)] = true
		}
	}
	for _, loc := range addrRe.FindAllStringIndex(fail, -1) {
		a := strings.ToLower(strings.TrimRight(fail[loc[0]:loc[1]], "."))
		if skip[a] || isDaemon(a) || m.isOurs(a) {
			continue
		}
		return DSNRecipient{Address: a, Action: "failed", Diagnostic: diagnosticNear(fail, loc[1])}, true
	}
	return DSNRecipient{}, false
}

// isOurs reports whether addr is at one of our domains (the sender of the returned
// message, not its failed recipient).
func (m *mail) isOurs(addr string) bool {
	_, domain, _ := strings.Cut(addr, "@")
	for _, d := range m.domains {
		if domain == d {
			return true
		}
	}
	return false
}

// diagnosticNear returns the first line at or after offset that carries an SMTP
// reply or enhanced code, else the rest of the address's line, trimmed.
func diagnosticNear(text string, offset int) string {
	rest := text[offset:]
	lines := strings.Split(rest, "\n")
	for i, line := range lines {
		if i > 12 {
			break
		}
		if findStatus(line) != "" || replyCodeRe.MatchString(line) {
			return strings.TrimSpace(line)
		}
	}
	if len(lines) > 0 {
		return strings.Trim(strings.TrimSpace(lines[0]), ":<> ")
	}
	return ""
}

// inlineMessageID finds the Message-ID of a returned message quoted inline in a text
// bounce (after the failure part).
func inlineMessageID(text, fail string) string {
	rest := text[len(fail):]
	for _, line := range strings.Split(rest, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "message-id") {
			return firstID(value)
		}
	}
	return ""
}

// lowerASCII lower-cases only A-Z, so byte offsets in the result are offsets in s
// (strings.ToLower may change the length of invalid or non-ASCII text).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
