package loopguard

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message"
)

// maxPartBytes bounds how much of one MIME part is read.
const maxPartBytes = 1 << 20

// maxParts bounds how many MIME parts are walked.
const maxParts = 64

// report is what a multipart/report (RFC 6522) says.
type report struct {
	reportType string // delivery-status, feedback-report, disposition-notification…
	dsn        *DSN
	feedback   string // Feedback-Type of an ARF report
	found      bool
}

// reportRule recognises multipart/report mail (RFC 6522): delivery status
// notifications (RFC 3464) and ARF feedback reports (RFC 5965) are bounces; message
// disposition notifications (read receipts, RFC 8098) are auto-replies.
func reportRule(_ *Guard, m *mail) (Verdict, bool) {
	r := readReport(m.raw)
	if !r.found {
		return Verdict{}, false
	}
	switch r.reportType {
	case "delivery-status", "global-delivery-status":
		return Verdict{Class: Bounce, Reason: "multipart/report; report-type=delivery-status (RFC 3464 DSN)", DSN: r.dsn}, true
	case "feedback-report":
		reason := "multipart/report; report-type=feedback-report (RFC 5965 ARF)"
		if r.feedback != "" {
			reason += ", Feedback-Type: " + r.feedback
		}
		return Verdict{Class: Bounce, Reason: reason, DSN: r.dsn}, true
	case "disposition-notification":
		return auto("multipart/report; report-type=disposition-notification (RFC 8098 read receipt)"), true
	}
	return Verdict{Class: Bounce, Reason: "multipart/report; report-type=" + r.reportType + " (RFC 6522 report)", DSN: r.dsn}, true
}

// readReport walks the MIME tree looking for a multipart/report and its parts. It is
// lenient: a part that fails to parse ends the walk with what was found so far.
func readReport(raw []byte) report {
	var r report
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		_ = err
		return r
	}
	w := walker{r: &r}
	w.walk(e, 0)
	if r.found && r.dsn == nil && r.reportType == "delivery-status" {
		r.dsn = scanDSNFields(raw)
	}
	return r
}

// walker carries the state of one MIME walk.
type walker struct {
	r     *report
	parts int
}

// walk visits entity e at the given depth.
func (w *walker) walk(e *message.Entity, depth int) {
	w.parts++
	if w.parts > maxParts || depth > 8 {
		return
	}
	t, params, _ := e.Header.ContentType()
	t = strings.ToLower(t)
	if t == "multipart/report" && !w.r.found {
		w.r.found = true
		w.r.reportType = strings.ToLower(params["report-type"])
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err != nil || p == nil {
				return
			}
			w.walk(p, depth+1)
		}
	}
	if !w.r.found {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(e.Body, maxPartBytes))
	switch t {
	case "message/delivery-status", "message/global-delivery-status":
		w.r.dsn = mergeDSN(w.r.dsn, parseDeliveryStatus(body))
	case "message/feedback-report":
		fb, d := parseFeedbackReport(body)
		w.r.feedback = fb
		w.r.dsn = mergeDSN(w.r.dsn, d)
	case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers", "message/rfc822-headers":
		h, _ := splitMessage(body)
		if id := firstID(h.get("message-id")); id != "" {
			if w.r.dsn == nil {
				w.r.dsn = &DSN{}
			}
			if w.r.dsn.OriginalMessageID == "" {
				w.r.dsn.OriginalMessageID = id
			}
		}
	}
}

// mergeDSN adds what b says to a (either may be nil).
func mergeDSN(a, b *DSN) *DSN {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	a.Recipients = append(a.Recipients, b.Recipients...)
	if a.OriginalEnvelopeID == "" {
		a.OriginalEnvelopeID = b.OriginalEnvelopeID
	}
	if a.OriginalMessageID == "" {
		a.OriginalMessageID = b.OriginalMessageID
	}
	return a
}

// parseDeliveryStatus reads the body of a message/delivery-status part (RFC 3464
// §2.1): a per-message block, then one block per recipient, separated by empty lines.
func parseDeliveryStatus(body []byte) *DSN {
	d := &DSN{}
	blocks := splitBlocks(body)
	for _, b := range blocks {
		h := parseHeader(b)
		if v := h.get("original-envelope-id"); v != "" && d.OriginalEnvelopeID == "" {
			d.OriginalEnvelopeID = v
		}
		if rc, ok := recipientOf(h); ok {
			d.Recipients = append(d.Recipients, rc)
		}
	}
	return d
}

// recipientOf reads one per-recipient block (RFC 3464 §2.3).
func recipientOf(h header) (DSNRecipient, bool) {
	addr := typedValue(h.get("final-recipient"))
	if addr == "" {
		addr = typedValue(h.get("original-recipient"))
	}
	action := strings.ToLower(firstToken(h.get("action")))
	status := findStatus(h.get("status"))
	diag := typedValue(h.get("diagnostic-code"))
	if addr == "" && action == "" && status == "" {
		return DSNRecipient{}, false
	}
	return DSNRecipient{Address: cleanAddress(addr), Action: action, Status: status, Diagnostic: diag}, true
}

// splitBlocks splits a body at empty lines.
func splitBlocks(body []byte) [][]byte {
	s := strings.ReplaceAll(string(body), "\r\n", "\n")
	var out [][]byte
	for _, b := range strings.Split(s, "\n\n") {
		if strings.TrimSpace(b) != "" {
			out = append(out, []byte(strings.TrimLeft(b, "\n")))
		}
	}
	return out
}

// typedValue strips the type of an RFC 3464 typed field ("rfc822; a@b" → "a@b").
func typedValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(after)
	}
	return strings.TrimSpace(v)
}

// cleanAddress lower-cases an address and strips <>, quotes and surrounding noise.
func cleanAddress(a string) string {
	a = strings.TrimSpace(a)
	if i := strings.IndexByte(a, '<'); i >= 0 {
		if j := strings.IndexByte(a[i:], '>'); j > 0 {
			a = a[i+1 : i+j]
		}
	}
	a = strings.Trim(a, "<>\"' \t")
	return strings.ToLower(a)
}

// parseFeedbackReport reads a message/feedback-report part (RFC 5965 §3.1): its
// Feedback-Type, and the Original-Rcpt-To as the recipient the report is about.
func parseFeedbackReport(body []byte) (string, *DSN) {
	h := parseHeader(body)
	fb := strings.ToLower(firstToken(h.get("feedback-type")))
	d := &DSN{}
	if rc := cleanAddress(h.get("original-rcpt-to")); rc != "" {
		d.Recipients = append(d.Recipients, DSNRecipient{Address: rc, Action: "complained", Diagnostic: "feedback report: " + fb})
	}
	return fb, d
}

// scanDSNFields is the fallback when the MIME structure is broken: it reads DSN
// fields from anywhere in the message, one recipient per Final-Recipient.
func scanDSNFields(raw []byte) *DSN {
	d := &DSN{}
	var cur *DSNRecipient
	for _, line := range strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "final-recipient":
			d.Recipients = append(d.Recipients, DSNRecipient{Address: cleanAddress(typedValue(value))})
			cur = &d.Recipients[len(d.Recipients)-1]
		case "action":
			if cur != nil {
				cur.Action = strings.ToLower(firstToken(value))
			}
		case "status":
			if cur != nil {
				cur.Status = findStatus(value)
			}
		case "diagnostic-code":
			if cur != nil {
				cur.Diagnostic = typedValue(value)
			}
		}
	}
	return d
}
