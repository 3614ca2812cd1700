package loopguard

import (
	"encoding/json"
	"strings"
)

// sesNotification is the part of an Amazon SES / SNS bounce or complaint
// notification (a JSON document mailed as text) that names the failure.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
	} `json:"complaint"`
	Mail struct {
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
}

// sesDSN reads an SES notification out of a text, or returns nil.
func sesDSN(text string) *DSN {
	i := strings.Index(text, `{"notificationType"`)
	if i < 0 {
		return nil
	}
	var n sesNotification
	dec := json.NewDecoder(strings.NewReader(text[i:]))
	if err := dec.Decode(&n); err != nil {
		return nil
	}
	d := &DSN{OriginalMessageID: firstID(n.Mail.CommonHeaders.MessageID)}
	for _, r := range n.Bounce.BouncedRecipients {
		d.Recipients = append(d.Recipients, DSNRecipient{
			Address:    cleanAddress(r.EmailAddress),
			Action:     strings.ToLower(r.Action),
			Status:     findStatus(r.Status),
			Diagnostic: typedValue(r.DiagnosticCode),
		})
	}
	for _, r := range n.Complaint.ComplainedRecipients {
		d.Recipients = append(d.Recipients, DSNRecipient{
			Address: cleanAddress(r.EmailAddress), Action: "complained",
			Diagnostic: "feedback report: " + strings.ToLower(n.Complaint.ComplaintFeedbackType),
		})
	}
	return d
}
