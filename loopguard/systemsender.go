package loopguard

import "strings"

// systemSenderRule recognises mail sent by a mailing-list manager or a mail system
// by its sender address, looked up in the envelope sender and in the From, Sender
// and Return-Path header fields (Return-Path is what an IMAP mailbox keeps of the
// envelope, RFC 5321 §4.4):
//
//   - owner-LIST@ and LIST-request@ are the list manager's own addresses
//     (RFC 2142 §4; Majordomo, Sympa, Mailman), LIST-bounces@ (and its VERP form
//     LIST-bounces+…@) is Mailman's envelope sender: list mail;
//   - MAILER-DAEMON@ (any of its spellings) is the mail system: a bounce, even
//     when only the Sender or Return-Path says it.
//
// A postmaster is not matched here: people read and write from that role mailbox
// (RFC 2142 §5), and bounceRule weighs it.
func systemSenderRule(_ *Guard, m *mail) (Verdict, bool) {
	senders := []struct{ where, addr string }{{"envelope sender", m.envFrom}}
	for _, name := range []string{"From", "Sender", "Return-Path"} {
		if v, ok := m.hdr.lookup(name); ok {
			senders = append(senders, struct{ where, addr string }{name + ":", cleanAddress(v)})
		}
	}
	for _, s := range senders {
		addr := strings.ToLower(s.addr)
		local, _, ok := strings.Cut(addr, "@")
		if !ok || local == "" {
			continue
		}
		if what := listManagerAddress(local); what != "" {
			return listVerdict(s.where + " " + trimReason(addr) + " is " + what + " (list manager sender)"), true
		}
		if isMailerDaemon(local) {
			return Verdict{Class: Bounce, Reason: s.where + " " + trimReason(addr) + " is the mail system (MAILER-DAEMON sender)", DSN: m.dsn()}, true
		}
	}
	return Verdict{}, false
}

// listManagerAddress says what kind of list manager address local is, or "".
func listManagerAddress(local string) string {
	if base, _, ok := strings.Cut(local, "+"); ok && strings.HasSuffix(base, "-bounces") {
		local = base // Mailman VERP: LIST-bounces+user=example.com@
	}
	switch {
	case strings.HasPrefix(local, "owner-") && len(local) > len("owner-"):
		return "a list owner address (owner-LIST)"
	case strings.HasSuffix(local, "-request") && len(local) > len("-request"):
		return "a list request address (LIST-request)"
	case strings.HasSuffix(local, "-bounces") && len(local) > len("-bounces"):
		return "a list bounce address (LIST-bounces)"
	}
	return ""
}

// isMailerDaemon reports whether local is one of the spellings of MAILER-DAEMON.
func isMailerDaemon(local string) bool {
	switch local {
	case "mailer-daemon", "mail-daemon", "mailerdaemon", "mailer_daemon", "mail.daemon", "mdaemon":
		return true
	}
	return false
}

// SystemAddress says, in words, why addr is a list manager's or the mail
// system's address (owner-LIST@, LIST-request@, LIST-bounces@,
// MAILER-DAEMON@), "" when it is not: such an address is never a customer.
func SystemAddress(addr string) string {
	local, _, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !ok || local == "" {
		return ""
	}
	if what := listManagerAddress(local); what != "" {
		return "is " + what
	}
	if isMailerDaemon(local) {
		return "is the mail system (MAILER-DAEMON)"
	}
	return ""
}
