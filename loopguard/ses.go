package loopguard

import (
	"encoding/json"
	"strings"
)

// sesNotification is the part of an Amazon SES / SNS bounce or complaint
// notification (a JSON document mailed as text) that names the failure.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	Message          string `json:"Message"` // SNS envelope: the notification as a JSON string
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

// sesDSN reads an SES notification out of a text, or returns nil. The JSON may be
// wrapped in an SNS envelope (its "Message" string) and folded over several lines.
func sesDSN(text string) *DSN {
	k := strings.Index(text, `"notificationType"`)
	if k < 0 {
		k = strings.Index(text, `\"notificationType\"`)
	}
	if k < 0 {
		return nil
	}
	var n sesNotification
	ok := false
	end := k
	for try := 0; try < 4 && !ok; try++ {
		i := strings.LastIndexByte(text[:end], '{')
		if i < 0 {
			return nil
		}
		doc := strings.NewReplacer("\r", "", "\n", "").Replace(text[i:])
		n = sesNotification{}
		ok = json.NewDecoder(strings.NewReader(doc)).Decode(&n) == nil
		end = i
	}
	if !ok {
		return nil
	}
	if n.NotificationType == "" && strings.Contains(n.Message, "notificationType") {
		inner := n.Message
		n = sesNotification{}
		if err := json.Unmarshal([]byte(inner), &n); err != nil {
			return nil
		}
	}
	switch n.NotificationType {
	case "Bounce", "Complaint", "Delivery":
	default:
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
