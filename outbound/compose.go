package outbound

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/loopguard"
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

// message is what the templates see.
type message struct {
	Author string
	At     string
	Body   string
	Files  []string
}

type page struct {
	Subject  string
	Messages []message
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(
	`{{range $i, $m := .Messages}}{{if $i}}
----------------------------------------

{{end}}{{$m.Author}} wrote on {{$m.At}}:

{{$m.Body}}
{{range $m.Files}}[attachment: {{.}}]
{{end}}{{end}}
-- 
Reply to this email to answer in the conversation.
`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif">
{{range .Messages}}<div style="margin-bottom: 1.5em">
<p style="color: #555"><strong>{{.Author}}</strong> wrote on {{.At}}:</p>
<div style="white-space: pre-wrap">{{.Body}}</div>
{{range .Files}}<p style="color: #555">[attachment: {{.}}]</p>
{{end}}</div>
{{end}}<hr>
<p style="color: #777; font-size: small">Reply to this email to answer in the conversation.</p>
</body></html>
`))

// Compose returns the email of e, dated now. It does not sign.
func (c *Composer) Compose(e *bridge.Email, now time.Time) ([]byte, error) {
	subject := Subject(e.Conversation.Subject, e.Conversation.ID)
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
	h.Set("X-Deskgate-Conversation", strconv.FormatUint(e.Conversation.ID, 10))

	p := page{Subject: subject}
	for _, m := range e.Messages {
		msg := message{Author: cleanName(m.Author.Name), At: m.CreatedAt.UTC().Format("Mon, 2 Jan 2006 15:04 MST"), Body: m.Body}
		if msg.Author == "" {
			msg.Author = m.Author.Email
		}
		for _, a := range m.Attachments {
			msg.Files = append(msg.Files, fmt.Sprintf("%s (%s)", cleanName(a.Filename), humanSize(a.Size)))
		}
		p.Messages = append(p.Messages, msg)
	}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, p); err != nil {
		return nil, fmt.Errorf("text body: %w", err)
	}
	if err := htmlTmpl.Execute(&html, p); err != nil {
		return nil, fmt.Errorf("html body: %w", err)
	}

	var buf bytes.Buffer
	w, err := mail.CreateInlineWriter(&buf, h) // multipart/alternative
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	for _, part := range []struct {
		typ  string
		body []byte
	}{{"text/plain", text.Bytes()}, {"text/html", html.Bytes()}} {
		var ph mail.InlineHeader
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, fmt.Errorf("compose %s: %w", part.typ, err)
		}
		if _, err := pw.Write(part.body); err != nil {
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

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
