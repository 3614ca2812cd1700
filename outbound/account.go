package outbound

import (
	"bytes"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-message/mail"
)

// TemplateHeader names the system template an account email was rendered
// from (welcome, password_reset, …), for the mail admin reading raw mail.
const TemplateHeader = "X-Deskgate-Template"

var _ bridge.AccountOutbox = (*Queue)(nil)

// ComposeAccount returns account email e as an RFC 5322 message dated now,
// multipart/alternative with its text and HTML bodies. It does not sign.
// From is the notifications address with the display name "deskgate";
// it carries the same auto-reply suppression and own-mail marker as every
// email deskgate sends (RFC 3834 §5).
func (c *Composer) ComposeAccount(e *bridge.AccountEmail, now time.Time) ([]byte, error) {
	var h mail.Header
	h.SetDate(now)
	h.SetAddressList("From", []*mail.Address{{Name: "deskgate", Address: c.FromAddress}})
	h.SetAddressList("To", []*mail.Address{{Name: cleanName(e.Recipient.Name), Address: cleanAddr(e.Recipient.Email)}})
	h.SetSubject(truncateRunes(cleanLine(e.Subject), maxSubjectRunes))
	h.SetMessageID(cleanID(e.MessageID))
	h.Set("MIME-Version", "1.0")
	h.Set("Auto-Submitted", "auto-generated")
	h.Set("X-Auto-Response-Suppress", "All")
	h.Set(OwnHeader, cleanLine(c.Hostname))
	h.Set(TemplateHeader, cleanLine(e.Template))
	var buf bytes.Buffer
	w, err := mail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	for _, part := range []struct{ typ, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		var ph mail.InlineHeader
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, fmt.Errorf("compose %s: %w", part.typ, err)
		}
		if _, err := pw.Write([]byte(part.body)); err != nil {
			return nil, fmt.Errorf("compose %s: %w", part.typ, err)
		}
		if err := pw.Close(); err != nil {
			return nil, fmt.Errorf("compose %s: %w", part.typ, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return buf.Bytes(), nil
}

// EnqueueAccount queues account email e inside tx (bridge.AccountOutbox):
// the same queue record, raw message and outbound mail log entry as a
// notification, without a conversation. It is signed and delivered like
// every other email.
func (q *Queue) EnqueueAccount(tx store.Tx, e *bridge.AccountEmail) (uint64, error) {
	now := q.opts.Clock.Now()
	raw, err := q.composer.ComposeAccount(e, now)
	if err != nil {
		return 0, err
	}
	id, err := tx.NewOutboundID()
	if err != nil {
		return 0, err
	}
	rec := &store.OutboundEmail{
		ID: id, Recipient: cleanAddr(e.Recipient.Email), EnvelopeFrom: q.opts.BounceAddress(id),
		MessageID: cleanID(e.MessageID), State: store.OutboundQueued, QueuedAt: now, NextAttempt: now,
	}
	entry := &store.MailLogEntry{
		Direction: store.DirOutbound, At: now, From: rec.EnvelopeFrom, To: rec.Recipient,
		Subject: truncateRunes(cleanLine(e.Subject), maxSubjectRunes), MessageID: rec.MessageID,
		Status: store.EmailQueued, Detail: fmt.Sprintf("%s email queued as outbound email %d", e.Template, id),
	}
	if err := tx.AddMailLog(entry, raw); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	rec.MailLogID = entry.ID
	if err := tx.PutOutbound(rec, raw); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return id, nil
}
