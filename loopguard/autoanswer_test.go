package loopguard

import (
	"strings"
	"testing"
)

// A person's mail may ask not to be auto-answered; it stays a person's
// mail. Mail that is not a person's is never auto-answered.
func TestAutoAnswer(t *testing.T) {
	g := testGuard()
	cases := []struct {
		name, envFrom, msg string
		want               bool
		reason             string
	}{
		{"plain person", "alice@example.com", "From: alice@example.com\nTo: Support <support@example.org>\nSubject: Help\n\nHi", true, "a person's mail"},
		{"suppress all", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: All\n\nHi", false, "X-Auto-Response-Suppress: All"},
		{"suppress oof in a list", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: DR, OOF\n\nHi", false, "asks not to be auto-answered"},
		{"suppress autoreply lower case", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nx-auto-response-suppress: autoreply\n\nHi", false, "autoreply"},
		{"suppress receipts only", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: DR, RN, NRN\n\nHi", true, "names only receipts"},
		{"suppress none", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: None\n\nHi", true, "a person's mail"},
		{"bcc: undisclosed recipients", "alice@example.com", "From: alice@example.com\nTo: undisclosed-recipients:;\n\nHi", false, "RFC 3834 §2"},
		{"bcc: no To at all", "alice@example.com", "From: alice@example.com\nSubject: x\n\nHi", false, "RFC 3834 §2"},
		{"to others only: maybe our alias, answered", "alice@example.com", "From: alice@example.com\nTo: help@company.example\n\nHi", true, "a person's mail"},
		{"in Cc only", "alice@example.com", "From: alice@example.com\nTo: undisclosed-recipients:;\nCc: \"Help\" <SUPPORT@Example.org>\n\nHi", true, "a person's mail"},
		{"unparsable To with an address", "alice@example.com", "From: alice@example.com\nTo: support@example.org bob@\n\nHi", true, "a person's mail"},
		{"unparsable To without one", "alice@example.com", "From: alice@example.com\nTo: nobody here,, \"\n\nHi", false, "RFC 3834 §2"},
		{"auto-reply", "bob@example.com", "From: bob@example.com\nTo: support@example.org\nAuto-Submitted: auto-replied\n\nAway", false, "not a person's mail (autoreply)"},
		{"list", "news@example.com", "From: news@example.com\nTo: support@example.org\nList-Id: <n.example.com>\n\nNews", false, "not a person's mail (list)"},
	}
	for _, c := range cases {
		raw := crlf(c.msg)
		v := g.Classify(c.envFrom, raw)
		aa := g.AutoAnswer(v, raw)
		if aa.Allowed != c.want || !strings.Contains(aa.Reason, c.reason) {
			t.Errorf("%s: got %v %q, want %v %q", c.name, aa.Allowed, aa.Reason, c.want, c.reason)
		}
		if strings.Contains(c.msg, "X-Auto-Response-Suppress") && v.Class != Human {
			t.Errorf("%s: X-Auto-Response-Suppress made the mail %s: it is still a person's", c.name, v.Class)
		}
	}
}
