package loopguard

import (
	"strings"
)

// bounceSubjects are subject fragments (lower-case) of the bounces common MTAs send
// without RFC 3464 structure.
var bounceSubjects = []string{
	"undelivered mail returned to sender",    // Postfix
	"delivery status notification (failure)", // Gmail, Exchange
	"delivery status notification (delay)",
	"mail delivery failed", // Exim
	"failure notice",       // qmail
	"undeliverable:",       // Exchange
	"undeliverable mail",
	"undeliverable message",
	"returned mail:",   // Sendmail
	"delivery failure", // Lotus Notes
	"delivery notification: delivery has failed",
	"nondeliverable mail",
	"non-delivery",
	"mail system error - returned mail",
	"message delivery failure",
	"delivery failed",
	"warning: could not send message",
	"could not send message",
	"mail could not be delivered",
	"delivery has failed",
	"message not delivered",
	"undeliverable",
	"returned to sender",
	"delivery problem",
}

// bounceBodyMarkers are body fragments (lower-case) that only bounces contain.
var bounceBodyMarkers = []string{
	"this is the mail system at host",                                      // Postfix
	"i'm sorry to have to inform you that your message could not",          // Postfix
	"hi. this is the qmail-send program",                                   // qmail
	"this message was created automatically by mail delivery software",     // Exim
	"a message that you sent could not be delivered to one or more of its", // Exim
	"delivery to the following recipient failed permanently",               // Gmail
	"delivery to the following recipients failed",                          // Gmail
	"your message did not reach some or all of the intended recipients",    // Exchange
	"delivery has failed to these recipients or groups",                    // Exchange
	"the following message to <",                                           // Sendmail
	"----- the following addresses had permanent fatal errors -----",       // Sendmail
	"----- transcript of session follows -----",                            // Sendmail
	"your message was not delivered to",
	"i'm afraid i wasn't able to deliver your message", // qmail variants
	"your message cannot be delivered to the following recipients",
	"this is an automatically generated delivery status notification",
	"the original message was received at", // Sendmail
	"message could not be delivered to",
	"permanent error",
	"delivery to the following recipients has been delayed",
}

// bounceRule recognises bounces without RFC 3464 structure: a MAILER-DAEMON or
// postmaster sender, a bounce subject, or a bounce body. It extracts the recipient
// and status where the text says them.
func bounceRule(_ *Guard, m *mail) (Verdict, bool) {
	reason := ""
	from := strings.ToLower(m.hdr.get("from"))
	switch {
	case isDaemon(m.envFrom):
		reason = "envelope sender " + m.envFrom + " is a mail daemon"
	case isDaemon(cleanAddress(from)) || strings.Contains(from, "mailer-daemon"):
		reason = "From: " + trimReason(m.hdr.get("from")) + " is a mail daemon"
	}
	subj := strings.ToLower(m.subject)
	if reason == "" {
		for _, s := range bounceSubjects {
			if strings.Contains(subj, s) && (m.envFrom == "" || hasBodyMarker(m.body)) {
				reason = "Subject: " + trimReason(m.subject) + " (bounce subject)"
				break
			}
		}
	}
	if reason == "" && m.envFrom == "" {
		if mk := bodyMarker(m.body); mk != "" {
			reason = "body says \"" + mk + "\" (bounce text), null reverse path"
		}
	}
	if reason == "" {
		return Verdict{}, false
	}
	return Verdict{Class: Bounce, Reason: reason, DSN: scanBounceText(m)}, true
}

// isDaemon reports whether an address is a mail system's (MAILER-DAEMON, postmaster).
func isDaemon(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	switch local {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mdaemon":
		return true
	}
	return false
}

// hasBodyMarker reports whether the body holds a bounce marker.
func hasBodyMarker(body []byte) bool { return bodyMarker(body) != "" }

// bodyMarker returns the first bounce marker found in the first part of body.
func bodyMarker(body []byte) string {
	b := body
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	lower := strings.ToLower(string(b))
	for _, mk := range bounceBodyMarkers {
		if strings.Contains(lower, mk) {
			return mk
		}
	}
	return ""
}

// scanBounceText extracts what a non-standard bounce says: DSN fields if present,
// else the first failed address and status code the text names.
func scanBounceText(m *mail) *DSN {
	if d := scanDSNFields(m.body); len(d.Recipients) > 0 {
		return d
	}
	return nil
}
