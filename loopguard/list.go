package loopguard

import (
	"strings"
	"unicode"
)

// listRule recognises mailing-list and bulk mail: RFC 2369 / RFC 2919 list headers,
// Precedence bulk/junk/list and the Feedback-ID of bulk senders.
func listRule(_ *Guard, m *mail) (Verdict, bool) {
	h := m.hdr
	if v, ok := h.lookup("precedence"); ok {
		switch firstToken(v) {
		case "bulk", "junk", "list":
			return listVerdict("Precedence: " + trimReason(v)), true
		}
	}
	for _, name := range []string{"List-Id", "List-Unsubscribe", "List-Post", "List-Subscribe", "List-Help", "List-Owner", "List-Archive", "Mailing-List", "X-Mailing-List", "X-ML-Name", "X-MLServer", "X-List"} {
		if v, ok := h.lookup(name); ok {
			return listVerdict(name + ": " + trimReason(v) + " (mailing list, RFC 2369/2919)"), true
		}
	}
	// Feedback-ID (Gmail's feedback loop header) is set by bulk mail services, but
	// also by some that carry people's mail (Amazon WorkMail sends through SES), so
	// it counts only with a no-reply sender.
	if v, ok := h.lookup("feedback-id"); ok && isNoReply(cleanAddress(h.get("from"))) {
		return listVerdict("Feedback-ID: " + trimReason(v) + " with a no-reply sender (bulk mail)"), true
	}
	return Verdict{}, false
}

// listVerdict builds a List verdict.
func listVerdict(reason string) Verdict { return Verdict{Class: List, Reason: reason} }

// trimReason shortens a header value quoted in a reason (which ends up in the mail
// log): control characters become spaces, invalid UTF-8 is replaced, and at most 80
// runes are kept.
func trimReason(v string) string {
	v = strings.ToValidUTF8(strings.TrimSpace(v), "\uFFFD")
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, v)
	if r := []rune(v); len(r) > 80 {
		v = string(r[:80]) + "…"
	}
	return v
}

// isNoReply reports whether an address's local part says nobody reads it.
func isNoReply(addr string) bool {
	local, _, _ := strings.Cut(addr, "@")
	local = strings.NewReplacer("-", "", "_", "", ".", "").Replace(local)
	return strings.Contains(local, "noreply") || strings.Contains(local, "donotreply") || strings.Contains(local, "dontreply")
}
