package bridge

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// MaxEmailAttachmentBytes is how much attachment data one email carries
// as MIME parts (SPEC §9); files beyond it are signed download links.
const MaxEmailAttachmentBytes = 10 << 20

// maxBatchAttachmentBytes bounds the attachment data one firing
// transaction puts into emails (a burst to 256 followers of a message
// with a 10 MB file would otherwise build 2.5 GB of email at once); files
// beyond it go out as links.
const maxBatchAttachmentBytes = 64 << 20

// AttachmentLinkTTL is how long a download link in an email works.
const AttachmentLinkTTL = 7 * 24 * time.Hour

// Automation 1 is the one-minute rule itself (SPEC §4, §9).
const (
	NotificationAutomationID   = 1
	NotificationAutomationName = "new_message_to_followers"
)

// notificationCause is the cause of an email of unseen messages.
func notificationCause(ms []store.Message) string {
	cause := fmt.Sprintf("automation %d %s", NotificationAutomationID, NotificationAutomationName)
	for _, m := range ms {
		if m.Cause != "" {
			return cause + " (message by " + m.Cause + ")"
		}
	}
	return cause
}

// DefaultNotification renders e with the default notification template
// and no item details (for an Email built without a store, as in tests).
func DefaultNotification(e *Email) (templates.Rendered, error) {
	def, _ := templates.System(templates.Notification)
	return templates.Render(def.Default, notificationData(e, map[string]any{}, nil))
}

// notificationData is what the notification template sees; links holds
// the download links of the files not attached, by attachment id.
func notificationData(e *Email, item map[string]any, links map[uint64]string) map[string]any {
	msgs := make([]any, 0, len(e.Messages))
	for _, m := range e.Messages {
		atts := make([]any, 0, len(m.Attachments))
		for _, a := range m.Attachments {
			atts = append(atts, map[string]any{"Filename": a.Filename, "ContentType": a.ContentType, "Size": HumanSize(a.Size), "Link": links[a.ID]})
		}
		msgs = append(msgs, map[string]any{
			"Author": displayName(m.Author), "AuthorType": m.Author.Type,
			"At": m.CreatedAt.UTC().Format("Mon, 2 Jan 2006 15:04 MST"), "Body": m.Body, "Attachments": atts,
		})
	}
	return map[string]any{
		"Name": e.Recipient.Name, "Email": e.Recipient.Email, "Subject": e.Conversation.Subject,
		"ConversationID": e.Conversation.ID, "Count": len(e.Messages), "Messages": msgs, "Item": item,
	}
}

// renderNotification renders e (its messages, recipient, conversation)
// with template t, and picks the files it carries.
func (s *Notifications) renderNotification(tx conversationTx, e *Email, t TemplateView, cache *emailCache) error {
	var budget int
	links := map[uint64]string{}
	for _, m := range e.Messages {
		for _, a := range m.Attachments {
			if budget+a.Size > MaxEmailAttachmentBytes || cache.attached+a.Size > maxBatchAttachmentBytes {
				links[a.ID] = s.AttachmentLink(m.ID, a.ID, s.clock.Now().Add(AttachmentLinkTTL))
				continue
			}
			data, err := cache.attachment(tx, a.ID)
			if err != nil {
				return err
			}
			budget += len(data)
			cache.attached += len(data)
			e.Files = append(e.Files, EmailFile{Attachment: a, Data: data})
		}
	}
	// A template that names neither the recipient's name nor address (the
	// default names neither) renders the same for every recipient of the
	// same messages: a burst to 1,000 followers renders once. Not when a
	// file goes as a link: whether it does depends on the batch so far.
	ct, cerr := cache.compiledNotification(t)
	key := ""
	if cerr == nil && len(links) == 0 && !ct.MayRead("Name") && !ct.MayRead("Email") {
		key = renderKey(e)
		if r, ok := cache.rendered[key]; ok {
			e.Rendered, e.Template = r, templates.Notification
			return nil
		}
	}
	item := map[string]any{"ID": e.Conversation.ItemID}
	if it, err := cache.item(tx, e.Conversation.ItemID); err == nil {
		item["Title"], item["Status"] = it.Title, itemStatus(it)
		if p, err := cache.project(tx, it.ProjectID); err == nil {
			item["Project"] = p.Name
		}
	}
	data := notificationData(e, item, links)
	var r templates.Rendered
	err := cerr
	if err == nil {
		r, err = ct.Render(data)
	}
	if err == nil && key != "" {
		cache.rendered[key] = r
	}
	if err != nil {
		// An edit that validated but fails on real data: fall back to the
		// default, so the customer still gets the message.
		s.log.Error("notification template failed, using the default", "err", err)
		def, _ := templates.System(templates.Notification)
		if r, err = templates.Render(def.Default, data); err != nil {
			return err
		}
	}
	e.Rendered, e.Template = r, templates.Notification
	return nil
}

// HumanSize is a file size in words.
func HumanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// AttachmentLink is the signed link to attachment att of message msg,
// valid until expires, that works without a bearer token: the path of
// GET /api/v1/messages/{id}/attachments/{att} under the public URL with
// expires and sig parameters.
func (s *Notifications) AttachmentLink(msg, att uint64, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	q := url.Values{"expires": {exp}, "sig": {s.attachmentSig(msg, att, exp)}}
	return fmt.Sprintf("%s/api/v1/messages/%d/attachments/%d?%s", strings.TrimRight(s.cfg.PublicURL, "/"), msg, att, q.Encode())
}

func (s *Notifications) attachmentSig(msg, att uint64, exp string) string {
	mac := hmac.New(sha256.New, s.cfg.TokenKey)
	fmt.Fprintf(mac, "attachment-link\x00%d\x00%d\x00%s", msg, att, exp)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// SignedAttachment returns attachment att of message msg when sig and
// expires are a valid, unexpired link of AttachmentLink.
func (s *Notifications) SignedAttachment(ctx context.Context, msg, att uint64, expires, sig string) (*store.Attachment, []byte, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.attachmentSig(msg, att, expires))) {
		return nil, nil, errorf(KindUnauthorized, "invalid download link")
	}
	if s.clock.Now().Unix() > exp {
		return nil, nil, errorf(KindUnauthorized, "download link expired")
	}
	var a *store.Attachment
	var data []byte
	err = s.st.View(ctx, func(tx store.Tx) error {
		m, err := tx.Message(msg)
		if err != nil {
			return notFound("message", msg)
		}
		for i := range m.Attachments {
			if m.Attachments[i].ID == att {
				a = &m.Attachments[i]
			}
		}
		if a == nil {
			return notFound("attachment", att)
		}
		data, err = tx.AttachmentData(att)
		return err
	})
	return a, data, storeErr(err, "attachment")
}
