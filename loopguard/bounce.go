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
	"complaint about message from", // Outlook.com JMRP complaint (message attached)
	"there was an error sending your mail",
	"mail failure",
	"delivery status notification",
	"returned mail",
	// German, French, Spanish, Italian, Dutch, Portuguese, Swedish, Polish, Russian
	"unzustellbar", "nicht zustellbar", "fehlgeschlagene zustellung", "zustellung fehlgeschlagen",
	"non remis", "échec de la remise", "echec de la remise", "impossible de remettre",
	"no se puede entregar", "error en la entrega", "no entregado",
	"non recapitabile", "mancato recapito", "impossibile recapitare",
	"onbestelbaar", "niet bezorgd", "kan niet worden bezorgd",
	"não entregue", "nao entregue", "falha na entrega", "não foi possível entregar",
	"kunde inte levereras", "ej levererat", "olevererbart",
	"niedostarczalne", "nie można dostarczyć", "nie dostarczono",
	"не доставлено", "недоставленное сообщение", "невозможно доставить", "ошибка доставки",
	// Japanese, Chinese, Korean
	"メールエラー", "配信エラー", "送信エラー", "配送エラー", "エラー通知", "不達", "配信不能",
	"退信", "邮件退回", "无法投递", "無法投遞", "投递失败", "發送失敗", "发送失败",
	"전송 실패", "배달 실패", "반송",
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
	"delivery to the following recipients has been delayed",
	"we had trouble delivering your message",
	"the following recipients returned permanent errors",
	"your message wasn't delivered to",
	"message you sent could not be delivered",
	"error: invalid user address",
	"requested action not taken: mailbox unavailable",
	"requested action not taken: no such user",
	"送信できませんでした", // Japanese: could not be sent
	"送信に失敗しました",
}

// bounceRule recognises bounces without RFC 3464 structure and extracts the
// recipient and status where the text says them.
//
// Strong evidence decides alone: an SES notification, the bounce text of a known
// MTA, a MAILER-DAEMON / Mail Delivery System sender, X-Failed-Recipients. Weak
// evidence — a postmaster sender (a role mailbox people also write from), a bounce
// or complaint subject — decides only in pairs, or corroborated by a null reverse
// path, a no-reply sender, a returned message attached or an SMTP error in the
// text; and never when the mail says "Auto-Submitted: auto-replied": then the
// sender declared it an auto-reply and the autoreply rule takes it. So a customer
// writing "Delivery failed" about a parcel, or a postmaster writing about an SPF
// record, stays human.
func bounceRule(_ *Guard, m *mail) (Verdict, bool) {
	s := m.structure()
	daemon := m.daemonSender()
	if isForward(m.subject) && daemon == "" && m.envFrom != "" {
		return Verdict{}, false
	}
	if ses := sesDSN(s.text); ses != nil {
		return Verdict{Class: Bounce, Reason: "Amazon SES notification (JSON notificationType)", DSN: m.dsn()}, true
	}
	if mk := bodyMarker(s.text); mk != "" {
		return Verdict{Class: Bounce, Reason: "body says \"" + mk + "\" (MTA bounce text)", DSN: m.dsn()}, true
	}
	if daemon != "" && !m.postmasterOnly() {
		return Verdict{Class: Bounce, Reason: daemon, DSN: m.dsn()}, true
	}
	if firstToken(m.hdr.get("auto-submitted")) == "auto-replied" {
		return Verdict{}, false
	}
	hit := bounceSubject(m.subject)
	if daemon == "" && hit == "" {
		return Verdict{}, false
	}
	why := m.corroboration()
	switch {
	case daemon != "" && hit != "":
		return Verdict{Class: Bounce, Reason: daemon + " and the subject is a bounce's (\"" + hit + "\")", DSN: m.dsn()}, true
	case daemon != "" && why != "":
		return Verdict{Class: Bounce, Reason: daemon + " and " + why, DSN: m.dsn()}, true
	case hit != "" && why != "":
		return Verdict{Class: Bounce, Reason: "Subject: " + trimReason(m.subject) + " (bounce subject \"" + hit + "\") and " + why, DSN: m.dsn()}, true
	}
	return Verdict{}, false
}

// bounceSubject returns the bounce subject fragment subject contains, or "".
func bounceSubject(subject string) string {
	subj := strings.ToLower(subject)
	for _, p := range bounceSubjects {
		if strings.Contains(subj, p) {
			return p
		}
	}
	return ""
}

// daemonSender says, in words, why the sender is a mail system, or "".
func (m *mail) daemonSender() string {
	if isDaemon(m.envFrom) {
		return "envelope sender " + trimReason(m.envFrom) + " is a mail daemon"
	}
	if v := m.hdr.get("x-failed-recipients"); v != "" {
		return "X-Failed-Recipients: " + trimReason(v) + " (MTA bounce)"
	}
	from := m.hdr.get("from")
	addr := cleanAddress(from)
	lower := strings.ToLower(from)
	switch {
	case isDaemon(addr):
		return "From: " + trimReason(from) + " is a mail daemon"
	case strings.Contains(lower, "mailer-daemon"), strings.Contains(lower, "mailer daemon"),
		strings.Contains(lower, "mail delivery subsystem"), strings.Contains(lower, "mail delivery system"):
		return "From: " + trimReason(from) + " is a mail daemon"
	case strings.TrimSpace(from) == "<>":
		return "From: <> (null sender in the header)"
	}
	return ""
}

// postmasterOnly reports whether the only daemon sign is a postmaster address:
// postmaster is a role mailbox read by people (RFC 2142 §5), so it is weaker
// evidence than MAILER-DAEMON.
func (m *mail) postmasterOnly() bool {
	env, _, _ := strings.Cut(m.envFrom, "@")
	from, _, _ := strings.Cut(cleanAddress(m.hdr.get("from")), "@")
	lower := strings.ToLower(m.hdr.get("from"))
	if strings.Contains(lower, "daemon") || strings.Contains(lower, "mail delivery") || m.hdr.get("x-failed-recipients") != "" {
		return false
	}
	isPM := func(l string) bool { return l == "postmaster" || l == "post_master" }
	return (isPM(env) || !isDaemon(m.envFrom)) && (isPM(from) || !isDaemon(cleanAddress(m.hdr.get("from")))) && (isPM(env) || isPM(from))
}

// corroboration says why a bounce-looking subject is believable, or "".
func (m *mail) corroboration() string {
	s := m.structure()
	local := cleanAddress(m.hdr.get("from"))
	switch {
	case m.envFrom == "":
		return "null reverse path"
	case s.hasReturned:
		return "a returned message is attached"
	case isNoReply(local):
		return "a no-reply sender"
	case replyCodeRe.MatchString(failureText(s.text)) && findStatus(s.text) != "":
		return "an SMTP error in the text"
	}
	return ""
}

// bodyMarker returns the first bounce marker found in text.
func bodyMarker(text string) string {
	lower := strings.ToLower(text)
	for _, mk := range bounceBodyMarkers {
		if strings.Contains(lower, mk) {
			return mk
		}
	}
	return ""
}

// isDaemon reports whether an address is a mail system's (MAILER-DAEMON, postmaster).
func isDaemon(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	switch local {
	case "mailer-daemon", "postmaster", "post_master", "mail-daemon", "mailerdaemon", "mdaemon", "mailer_daemon", "mail.daemon":
		return true
	}
	return false
}

// forwardPrefixes start the subject of a forwarded mail or a reply in common mailers.
var forwardPrefixes = []string{"fwd:", "fw:", "wg:", "tr:", "rv:", "i:", "enc:", "doorst:", "vs:", "pd:", "转发:", "転送:",
	// replies: a person answering with a bounce pasted in
	"re:", "aw:", "sv:", "antw:", "odp:", "rif:", "res:", "回复:", "返信:"}

// isForward reports whether a subject is that of a forwarded mail or a reply: a
// customer forwarding a bounce to the helpdesk, or pasting one into a reply, is a
// person (when neither the envelope nor the sender says otherwise).
func isForward(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range forwardPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
