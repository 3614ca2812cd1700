package outbound

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/loopguard"
	"github.com/deskgate/deskgate/templates"
	"github.com/emersion/go-message/mail"
)

// Limits that keep every header line within RFC 5322 §2.1.1's 998
// characters, whatever the names and subjects say.
const (
	maxNameRunes    = 100
	maxSubjectRunes = 200
)

// OwnHeader marks every email deskgate sends; its value is the hostname.
// The loop guard drops mail that carries it when it comes back, so both
// use the one name loopguard defines.
const OwnHeader = loopguard.OwnHeader

// Composer turns a bridge.Email into an RFC 5322 message.
type Composer struct {
	// FromAddress is the From address of every email: a fixed address on
	// the first domain (notifications@<domain>), so DMARC aligns with the
	// DKIM d= domain; the author's name is shown as its display name.
	FromAddress string
	// Hostname is the value of the X-Deskgate-Origin marker.
	Hostname string
}

// Compose returns the email of e, dated now. It does not sign.
func (c *Composer) Compose(e *bridge.Email, now time.Time) ([]byte, error) {
	subject := emailSubject(e)
	var h mail.Header
	h.SetDate(now)
	h.SetAddressList("From", []*mail.Address{{Name: cleanName(e.FromName), Address: c.FromAddress}})
	h.SetAddressList("To", []*mail.Address{{Name: cleanName(e.Recipient.Name), Address: cleanAddr(e.Recipient.Email)}})
	if e.ReplyTo != "" {
		h.SetAddressList("Reply-To", []*mail.Address{{Address: cleanAddr(e.ReplyTo)}})
	}
	h.SetSubject(subject)
	h.SetMessageID(cleanID(e.MessageID))
	if e.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{cleanID(e.InReplyTo)})
	}
	if len(e.References) > 0 {
		refs := make([]string, len(e.References))
		for i, r := range e.References {
			refs[i] = cleanID(r)
		}
		h.SetMsgIDList("References", refs)
	}
	h.Set("MIME-Version", "1.0")
	h.Set("Auto-Submitted", "auto-generated") // RFC 3834 §5
	h.Set("X-Auto-Response-Suppress", "All")  // Microsoft Exchange's equivalent
	h.Set(OwnHeader, cleanLine(c.Hostname))
	if e.Conversation.ID != 0 {
		h.Set("X-Deskgate-Conversation", strconv.FormatUint(e.Conversation.ID, 10))
	}

	r := e.Rendered
	if r.Text == "" && r.HTML == "" {
		var err error
		if r, err = bridge.DefaultNotification(e); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	}
	var buf bytes.Buffer
	if len(e.Files) == 0 {
		w, err := mail.CreateInlineWriter(&buf, h) // multipart/alternative
		if err != nil {
			return nil, fmt.Errorf("compose: %w", err)
		}
		if err := writeBodies(w, r); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	// multipart/mixed: the alternative bodies, then each file (RFC 2046 §5.1.3).
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := writeBodies(iw, r); err != nil {
		return nil, err
	}
	for _, f := range e.Files {
		var ah mail.AttachmentHeader
		ct := f.ContentType
		if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
			ct = "application/octet-stream"
		}
		ah.Set("Content-Type", ct)
		ah.SetFilename(cleanName(f.Filename))
		ah.Set("Content-Transfer-Encoding", "base64")
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, fmt.Errorf("compose attachment: %w", err)
		}
		if _, err := aw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("compose attachment: %w", err)
		}
		if err := aw.Close(); err != nil {
			return nil, fmt.Errorf("compose attachment: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return buf.Bytes(), nil
}

// writeBodies writes the text and (when there is one) HTML body of r as
// the parts of a multipart/alternative writer, and closes it.
func writeBodies(w *mail.InlineWriter, r templates.Rendered) error {
	parts := []struct {
		typ  string
		body string
	}{{"text/plain", r.Text}}
	if r.HTML != "" {
		parts = append(parts, struct {
			typ  string
			body string
		}{"text/html", r.HTML})
	}
	for _, part := range parts {
		var ph mail.InlineHeader
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := w.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("compose %s: %w", part.typ, err)
		}
		if _, err := io.WriteString(pw, part.body); err != nil {
			return fmt.Errorf("compose %s: %w", part.typ, err)
		}
		if err := pw.Close(); err != nil {
			return fmt.Errorf("compose %s: %w", part.typ, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	return nil
}

// emailSubject is the Subject of e: its rendered subject (the
// conversation's when nothing was rendered), tagged [#id] when it is about
// a conversation.
func emailSubject(e *bridge.Email) string {
	s := e.Rendered.Subject
	if s == "" && e.Rendered.Text == "" {
		s = e.Conversation.Subject
	}
	if e.Conversation.ID == 0 {
		if s = truncateRunes(cleanLine(s), maxSubjectRunes); s == "" {
			s = "(no subject)"
		}
		return s
	}
	return Subject(s, e.Conversation.ID)
}

// Subject is the subject of an email about conversation id: the
// conversation's subject (cleaned, shortened) with the tag [#id] that
// inbound threading rule 3 (SPEC §3) recognises.
func Subject(s string, id uint64) string {
	tag := "[#" + strconv.FormatUint(id, 10) + "]"
	s = truncateRunes(cleanLine(s), maxSubjectRunes)
	switch {
	case s == "":
		return "Conversation " + tag
	case strings.Contains(s, tag):
		return s
	}
	return s + " " + tag
}

// cleanLine makes s safe as (part of) one header line: control characters
// (CR and LF above all: header injection) become spaces, runs of white
// space collapse.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func cleanName(s string) string { return truncateRunes(cleanLine(s), maxNameRunes) }

// cleanAddr removes anything from an address that could end a header line.
func cleanAddr(s string) string { return strings.Join(strings.Fields(cleanLine(s)), "") }

// cleanID keeps only the characters of a msg-id's dot-atom-text and "@"
// (RFC 5322 §3.6.4): no <>, no white space, nothing that ends a line.
func cleanID(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.@", r)) {
			return r
		}
		return -1
	}, s)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
