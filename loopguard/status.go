package loopguard

import "regexp"

// statusRe matches an enhanced status code (RFC 3463 §2): class.subject.detail.
var statusRe = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)

// findStatus returns the first enhanced status code in s, or "".
func findStatus(s string) string {
	return statusRe.FindString(s)
}
