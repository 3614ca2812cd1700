package loopguard

import (
	"strings"
	"testing"
)

// A person's mail may ask not to be auto-answered; it stays a person's
// mail. Mail that is not a person's is never auto-answered.
func TestAutoAnswer(t *testing.T) {
	g := testGuard()
	rcpts := []string{"support@example.org"}
	cases := []struct {
		name, envFrom, msg string
		rcpts              []string
		want               bool
		reason             string
	}{
		{"plain person", "alice@example.com", "From: alice@example.com\nTo: Support <support@example.org>\nSubject: Help\n\nHi", rcpts, true, "a person's mail"},
		{"suppress all", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: All\n\nHi", rcpts, false, "X-Auto-Response-Suppress: All"},
		{"suppress oof in a list", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: DR, OOF\n\nHi", rcpts, false, "asks not to be auto-answered"},
		{"suppress autoreply lower case", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nx-auto-response-suppress: autoreply\n\nHi", rcpts, false, "autoreply"},
		{"suppress receipts only", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: DR, RN, NRN\n\nHi", rcpts, true, "names only receipts"},
		{"suppress none", "alice@example.com", "From: alice@example.com\nTo: support@example.org\nX-Auto-Response-Suppress: None\n\nHi", rcpts, true, "a person's mail"},
		{"bcc (not in To or Cc)", "alice@example.com", "From: alice@example.com\nTo: bob@example.com\n\nHi", rcpts, false, "RFC 3834 §2"},
		{"in Cc, other case", "alice@example.com", "From: alice@example.com\nTo: bob@example.com\nCc: \"Help\" <SUPPORT@Example.org>\n\nHi", rcpts, true, "a person's mail"},
		{"unparsable To still names us", "alice@example.com", "From: alice@example.com\nTo: support@example.org bob@\n\nHi", rcpts, true, "a person's mail"},
		{"a longer address is not ours", "alice@example.com", "From: alice@example.com\nTo: xsupport@example.org.evil bob@\n\nHi", rcpts, false, "RFC 3834 §2"},
		{"ours after a longer one", "alice@example.com", "From: alice@example.com\nTo: xsupport@example.org, support@example.org bob@\n\nHi", rcpts, true, "a person's mail"},
		{"recipients unknown: rule skipped", "alice@example.com", "From: alice@example.com\nTo: bob@example.com\n\nHi", nil, true, "a person's mail"},
		{"auto-reply", "bob@example.com", "From: bob@example.com\nTo: support@example.org\nAuto-Submitted: auto-replied\n\nAway", rcpts, false, "not a person's mail (autoreply)"},
		{"list", "news@example.com", "From: news@example.com\nTo: support@example.org\nList-Id: <n.example.com>\n\nNews", rcpts, false, "not a person's mail (list)"},
	}
	for _, c := range cases {
		raw := crlf(c.msg)
		v := g.Classify(c.envFrom, raw)
		aa := g.AutoAnswer(v, raw, c.rcpts)
		if aa.Allowed != c.want || !strings.Contains(aa.Reason, c.reason) {
			t.Errorf("%s: got %v %q, want %v %q", c.name, aa.Allowed, aa.Reason, c.want, c.reason)
		}
		if strings.Contains(c.msg, "X-Auto-Response-Suppress") && v.Class != Human {
			t.Errorf("%s: X-Auto-Response-Suppress made the mail %s: it is still a person's", c.name, v.Class)
		}
	}
}
