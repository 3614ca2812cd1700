package bridge

import (
	"bytes"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/loopguard"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/deskgate/deskgate/senderauth"
)

// Analysis is what deskgate makes of one raw message without storing
// anything: the parse (mailparse) and the loop guard's verdict
// (loopguard). Receive and `deskgate inspect` use this one function, so
// the admin's "why was this mail suppressed / threaded there / stripped
// so?" is answered by the code that decided. Its JSON form is the line
// `deskgate inspect` prints (SPEC §2).
type Analysis struct {
	File          string               `json:"file"`
	Class         loopguard.Class      `json:"class"`
	Reason        string               `json:"reason"`
	Subject       string               `json:"subject"`
	From          string               `json:"from"`
	FromName      string               `json:"from_name,omitempty"`
	MessageID     string               `json:"message_id"`
	InReplyTo     []string             `json:"in_reply_to"`
	References    []string             `json:"references"`
	ReplyText     string               `json:"reply_text"`
	Forwarded     bool                 `json:"forwarded"`                // reply_text keeps the forwarded message
	HeaderCharset string               `json:"header_charset,omitempty"` // charset of raw 8-bit header text
	Cc            []string             `json:"cc"`                       // Cc addresses (customers' colleagues join; see ccjoin.go)
	HTMLSanitized string               `json:"html_sanitized"`
	Attachments   []AnalysisAttachment `json:"attachments"`
	DSN           AnalysisDSN          `json:"dsn"`
	Errors        []string             `json:"errors"`
	Hops          int                  `json:"hops"` // Received header count
	// AutoAnswer: whether an automatic answer (an automation's send_email
	// to customers) may go to the sender, and why (loopguard.AutoAnswer).
	AutoAnswer       bool   `json:"auto_answer"`
	AutoAnswerReason string `json:"auto_answer_reason"`
	// Auth is what the sender checks found (SPEC §12): set by Receive, and
	// by `deskgate inspect --dns`; nil when they did not run.
	Auth    *senderauth.Results `json:"auth,omitempty"`
	Message *mailparse.Message  `json:"-"`
	Mail    *mailparse.Mail     `json:"-"` // the raw mail read once, shared by the parser, the guard and the sender checks
	Verdict loopguard.Verdict   `json:"-"`
	Raw     []byte              `json:"-"`
}

// AnalysisAttachment lists one attachment or inline image.
type AnalysisAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// AnalysisDSN is the delivery status notification found in a bounce
// (RFC 3464); Recipients is empty for anything else.
type AnalysisDSN struct {
	Recipients         []DSNRecipient `json:"recipients"`
	OriginalMessageID  string         `json:"original_message_id,omitempty"`
	OriginalEnvelopeID string         `json:"original_envelope_id,omitempty"`
}

// DSNRecipient is one per-recipient block of a DSN (RFC 3464 §2.3).
type DSNRecipient struct {
	Address    string `json:"address"`
	Action     string `json:"action"`     // failed, delayed, delivered, relayed, expanded
	Status     string `json:"status"`     // RFC 3463, e.g. 5.1.1
	Diagnostic string `json:"diagnostic"` // the remote server's reply
}

// Analyze parses raw and classifies it for the envelope sender envFrom
// ("" is the null reverse path of RFC 5321 §4.5.5). It never fails: what
// it could not read is listed in Errors. guard may be nil (then every mail
// counts as human).
func Analyze(raw []byte, envFrom string, guard *loopguard.Guard) Analysis {
	return AnalyzeMail(mailparse.Read(raw), envFrom, guard)
}

// AnalyzeMail is Analyze of a mail read already by mailparse.Read: its
// header and MIME tree are not parsed again.
func AnalyzeMail(mail *mailparse.Mail, envFrom string, guard *loopguard.Guard) Analysis {
	raw := mail.Raw
	a := Analysis{Raw: raw, Mail: mail, Hops: hops(mail), InReplyTo: []string{}, References: []string{},
		Attachments: []AnalysisAttachment{}, Errors: []string{}, Cc: []string{},
		DSN: AnalysisDSN{Recipients: []DSNRecipient{}}}
	m, err := mailparse.ParseMail(mail)
	if err != nil {
		a.Errors = append(a.Errors, "parse: "+err.Error())
	}
	if m == nil {
		m = &mailparse.Message{}
	}
	a.Message = m
	a.Errors = append(a.Errors, m.Errors...)
	a.Subject, a.From, a.FromName, a.MessageID = m.Subject, m.From.Email, m.From.Name, m.MessageID
	if m.InReplyTo != nil {
		a.InReplyTo = m.InReplyTo
	}
	if m.References != nil {
		a.References = m.References
	}
	a.ReplyText, a.HTMLSanitized = m.ReplyText, m.HTML
	a.Forwarded, a.HeaderCharset = m.Forwarded, m.HeaderCharset
	for _, c := range m.Cc {
		if c.Email != "" {
			a.Cc = append(a.Cc, c.Email)
		}
	}
	for _, at := range m.Attachments {
		a.Attachments = append(a.Attachments, AnalysisAttachment{Filename: at.Filename, ContentType: at.ContentType, Size: len(at.Data)})
	}
	a.Verdict = loopguard.Verdict{Class: loopguard.Human, Reason: "no loop guard"}
	if guard != nil {
		a.Verdict = guard.ClassifyMail(envFrom, mail)
	}
	a.Class, a.Reason = a.Verdict.Class, a.Verdict.Reason
	aa := loopguard.AutoAnswer{Reason: "no loop guard: not auto-answered"}
	if guard != nil {
		aa = guard.AutoAnswerMail(a.Verdict, mail)
	}
	a.AutoAnswer, a.AutoAnswerReason = aa.Allowed, aa.Reason
	if d := a.Verdict.DSN; d != nil {
		a.DSN.OriginalMessageID, a.DSN.OriginalEnvelopeID = d.OriginalMessageID, d.OriginalEnvelopeID
		for _, r := range d.Recipients {
			a.DSN.Recipients = append(a.DSN.Recipients, DSNRecipient(r))
		}
	}
	return a
}

// hops counts the Received trace fields of m's header: from its fields when
// they are every line of the header, else by countReceived.
func hops(m *mailparse.Mail) int {
	if !m.HeaderLines() {
		parsecount.Header()
		return countReceived(m.Raw)
	}
	n := 0
	fields := m.Header.FieldsByKey("Received")
	for fields.Next() {
		if kv, _ := fields.Raw(); len(kv) >= 9 && bytes.EqualFold(kv[:9], []byte("received:")) {
			n++ // as countReceived: "Received :" is not counted
		}
	}
	return n
}

// countReceived counts the Received trace fields of raw's header
// (RFC 5321 §4.4, §6.3: a hop count bounds mail loops).
func countReceived(raw []byte) int {
	n := 0
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break // end of the header
		}
		if len(line) >= 9 && bytes.EqualFold(line[:9], []byte("received:")) {
			n++
		}
	}
	return n
}
