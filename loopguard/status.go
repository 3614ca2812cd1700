package loopguard

import (
	"regexp"
	"strings"
)

// statusRe matches an enhanced status code candidate (RFC 3463 §2): class.subject.detail.
var statusRe = regexp.MustCompile(`[245]\.\d{1,3}\.\d{1,3}`)

// findStatus returns the first enhanced status code in s that stands alone (not part
// of an IP address or version number), or "".
func findStatus(s string) string {
	for _, loc := range statusRe.FindAllStringIndex(s, -1) {
		if loc[0] > 0 && isCodeChar(s[loc[0]-1]) {
			continue
		}
		if loc[1] < len(s) && (isCodeChar(s[loc[1]]) || s[loc[1]] == '.' && loc[1]+1 < len(s) && isDigit(s[loc[1]+1])) {
			continue
		}
		return s[loc[0]:loc[1]]
	}
	return ""
}

// isCodeChar reports whether c glued to a code would make it part of a longer token.
func isCodeChar(c byte) bool { return isDigit(c) || c == '.' || isLetter(c) }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// replyCodeRe matches an SMTP reply code at the start of a reply text (RFC 5321 §4.2).
var replyCodeRe = regexp.MustCompile(`(?:^|[^0-9.])([45][0-5][0-9])(?:[ -]|$)`)

// reasonStatus maps what a bounce text says (lower-case fragments) to the enhanced
// status code RFC 3463 gives that condition, for bounces that state no code.
var reasonStatus = []struct {
	status    string
	fragments []string
}{
	{"5.1.2", []string{"because the domain", "domain couldn't be found", "domain could not be found"}},
	{"5.2.2", []string{"mailbox full", "mailbox is full", "over quota", "quota exceeded", "exceeded storage", "exceeds quota", "mailbox has exceeded", "insufficient storage", "user is over", "disk quota", "full mailbox", "storage allocation", "quota", "メールボックスが一杯", "容量"}},
	{"5.1.6", []string{"has moved", "no longer at this address", "changed address"}},
	{"5.2.1", []string{"account disabled", "mailbox disabled", "account has been disabled", "account is disabled", "suspended", "deactivated", "inactive", "account expired", "mailbox is disabled", "not accepting mail", "mailbox unavailable"}},
	{"5.1.1", []string{"user unknown", "unknown user", "no such user", "no such recipient", "no such mailbox", "does not exist", "doesn't exist", "invalid recipient", "invalid mailbox", "invalid user", "recipient unknown", "unknown recipient", "user not found", "mailbox not found", "no mailbox", "unknown local part", "unknown address", "address rejected", "not a valid", "no account", "not listed", "unrouteable address", "bad destination mailbox", "user doesn't have", "no valid recipients", "recipient not found", "invalid address", "address unknown", "is not a registered"}},
	{"5.1.2", []string{"host unknown", "unknown host", "host not found", "domain not found", "no such domain", "unrouteable domain", "domain does not exist", "name server", "no mx", "mx record", "unknown domain", "host or domain name not found"}},
	{"5.3.4", []string{"message too large", "message too big", "too large", "size exceeds", "exceeds size", "message size", "message length exceeds"}},
	{"5.2.3", []string{"exceeds the limit", "too many recipients"}},
	{"5.7.1", []string{"relaying denied", "relay access denied", "relay not permitted", "not permitted to relay", "unable to relay", "spam", "blocked", "blacklist", "blocklist", "denied", "rejected for policy", "policy", "not authorized", "refused"}},
	{"4.4.7", []string{"envelope expired", "expired", "retry timeout", "too long", "could not be delivered within", "delivery time expired", "timed out", "timeout"}},
	{"4.4.1", []string{"connection refused", "no answer from host", "unable to connect", "can't connect"}},
}

// inferStatus names the status of a bounce text that gives no enhanced code: from the
// condition it describes, with the class taken from its SMTP reply code (4xx
// transient) when one is given; "" when the text says nothing recognisable.
func inferStatus(text string) string {
	lower := strings.ToLower(text)
	code := ""
	if m := replyCodeRe.FindStringSubmatch(text); m != nil {
		code = m[1]
	}
	for _, r := range reasonStatus {
		for _, f := range r.fragments {
			if strings.Contains(lower, f) {
				st := r.status
				if code != "" && code[0] != st[0] {
					st = code[:1] + st[1:]
				}
				return st
			}
		}
	}
	if code != "" {
		return code[:1] + ".0.0"
	}
	return ""
}

// refineStatus makes a generic status (x.0.0 or none) specific when the diagnostic
// names a code of the same class, as MTAs often write "Status: 5.0.0" with a precise
// code in Diagnostic-Code.
func refineStatus(status, diagnostic string) string {
	if status != "" && !strings.HasSuffix(status, ".0.0") {
		return status
	}
	if d := findStatus(diagnostic); d != "" && (status == "" || d[0] == status[0]) && !strings.HasSuffix(d, ".0.0") {
		return d
	}
	return status
}
