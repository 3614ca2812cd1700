package loopguard

import "strings"

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

// splitBlocks splits a body at empty lines (lines of only white space count as
// empty: some MTAs indent them).
func splitBlocks(body []byte) [][]byte {
	var out [][]byte
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, []byte(strings.Join(cur, "\n")))
			cur = cur[:0]
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
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
	if strings.ContainsAny(a, " \t") { // "user@example.com (comment)"
		for _, f := range strings.Fields(a) {
			if strings.Contains(f, "@") {
				a = strings.Trim(f, "<>\"'(),;")
				break
			}
		}
	}
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

// reportRule recognises machine reports by their MIME parts: delivery status
// notifications (RFC 3464, message/delivery-status, inside multipart/report or not)
// and ARF feedback reports (RFC 5965) are bounces; message disposition
// notifications (read receipts, RFC 8098) are auto-replies.
//
// ARF reports are classed Bounce, not List: they are the receiving system's
// machine answer about one message deskgate sent (a complaint), the bridge should
// stop emailing that recipient just as for a hard bounce, and a report must never
// be answered. Their DSN has one recipient (Original-Rcpt-To) with Action
// "complained" and no Status.
func reportRule(_ *Guard, m *mail) (Verdict, bool) {
	s := m.structure()
	switch {
	case s.deliveryPart || s.reportType == "delivery-status" || s.reportType == "global-delivery-status":
		reason := "message/delivery-status part (RFC 3464 DSN)"
		if s.reportType != "" {
			reason = "multipart/report; report-type=" + trimReason(s.reportType) + " (RFC 3464 DSN)"
		}
		return Verdict{Class: Bounce, Reason: reason, DSN: m.dsn()}, true
	case s.feedbackPart || s.reportType == "feedback-report":
		reason := "multipart/report; report-type=feedback-report (RFC 5965 ARF)"
		if s.feedback != "" {
			reason += ", Feedback-Type: " + trimReason(s.feedback)
		}
		return Verdict{Class: Bounce, Reason: reason, DSN: m.dsn()}, true
	case s.mdnPart || s.reportType == "disposition-notification":
		return auto("multipart/report; report-type=disposition-notification (RFC 8098 read receipt)"), true
	case s.reportType != "":
		return Verdict{Class: Bounce, Reason: "multipart/report; report-type=" + trimReason(s.reportType) + " (RFC 6522 report)", DSN: m.dsn()}, true
	}
	return Verdict{}, false
}
