package mailparse

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Limits that keep hostile input from costing more than a message is worth.
const (
	maxDepth = 16   // nested multiparts followed (RFC 2046 sets none)
	maxParts = 1000 // MIME parts visited per message
)

// Parse reads a raw RFC 5322 message. It never panics; it returns an error
// only when not even a header could be read, and then still returns a
// *Message with what it has (possibly nothing).
func Parse(raw []byte) (*Message, error) { return ParseMail(Read(raw)) }

// ParseMail decodes a mail Read already (see Parse): the header and the
// MIME tree are not read again.
func ParseMail(m *Mail) (msg *Message, err error) {
	msg = &Message{}
	defer func() {
		if r := recover(); r != nil {
			// Last resort: a bug in a decoder must not lose the mail.
			stack := debug.Stack()
			msg.Errors = append(msg.Errors, fmt.Sprintf("internal error while parsing: %v\n%s", r, stack[:min(len(stack), 2048)]))
		}
	}()
	if m.Unreadable() {
		// Keep what there is: the bytes as text, so nothing is lost.
		msg.Text = strings.TrimSpace(normalizeNewlines(decodeBytes("", m.Raw[m.Start:])))
		msg.ReplyText = ExtractReply(msg.Text)
		return msg, fmt.Errorf("mailparse: read header: %w", m.HeaderErr)
	}
	if m.HeaderErr != nil {
		msg.addError("malformed header, lines repaired or skipped: %v", m.HeaderErr)
	}
	h := m.Header
	msg.Header = mail.Header{Header: message.Header{Header: h}}
	hint := headerCharset(h.Get("Content-Type"), m.Body, rawHeaderValues(h))
	readHeaders(msg, hint)
	msg.HeaderCharset = strings.ToLower(hint)
	p := &parser{msg: msg, hint: hint}
	var b content
	if m.Root != nil {
		p.entity(m.Root, &b)
	}
	if m.panicked != "" {
		msg.Errors = append(msg.Errors, m.panicked)
	}
	distinctNames(msg.Attachments)
	p.assemble(&b)
	return msg, nil
}

// rawHeaderValues returns the values of the header fields that carry text
// (RFC 5322 §3.6.4 unstructured and address fields), as sent.
func rawHeaderValues(h textproto.Header) []string {
	var out []string
	for _, k := range []string{"Subject", "From", "To", "Cc", "Reply-To", "Sender"} {
		out = append(out, h.Values(k)...)
	}
	return out
}

// parser decodes the MIME tree of one message.
type parser struct {
	msg  *Message
	hint string // charset the body declares, for raw 8-bit header text
}

// content is what a subtree contributes to the body.
type content struct {
	plain    []string // text/plain bodies, UTF-8
	html     []string // raw (unsanitized) HTML bodies, UTF-8
	htmlText []string // the HTML bodies turned into text
}

// assemble fills Text, HTML and ReplyText from the collected body parts.
func (p *parser) assemble(b *content) {
	p.msg.Text = strings.Join(b.plain, "\n\n")
	if strings.TrimSpace(p.msg.Text) == "" {
		// No text/plain, or an empty one next to real HTML.
		p.msg.Text = strings.Join(b.htmlText, "\n\n")
	}
	if len(b.html) > 0 {
		p.msg.HTML = sanitizeHTML(strings.Join(b.html, "\n"))
	}
	p.msg.Forwarded = isForwarded(p.msg)
	if p.msg.Forwarded {
		p.msg.ReplyText = ExtractReplyForward(p.msg.Text)
	} else {
		p.msg.ReplyText = ExtractReply(p.msg.Text)
	}
}

// skipMboxFrom drops the "From sender date" line an mbox puts before each
// message (RFC 4155); it is not a header field.
func skipMboxFrom(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

// readHeader reads a header block and returns it with the body after it.
func readHeader(raw []byte) (textproto.Header, []byte, error) {
	r := bytes.NewReader(raw)
	br := bufio.NewReaderSize(r, 4096)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return h, nil, err
	}
	consumed := len(raw) - r.Len() - br.Buffered()
	return h, raw[consumed:], nil
}

// entity decodes one MIME entity (RFC 2045 §2.4) of the tree Read split.
func (p *parser) entity(e *Part, out *content) {
	for _, n := range e.notes {
		p.msg.addError("%s", n)
	}
	switch {
	case e.Ignored:
	case e.bare:
		p.leaf(message.Header{}, "text/plain", map[string]string{}, e.Body, out)
	case e.Boundary != "":
		p.multipart(e, out)
	default:
		p.leaf(message.Header{Header: e.Header}, e.Type, e.Params, e.Body, out)
	}
}

// multipart decodes the parts of a multipart entity (RFC 2046 §5.1).
// multipart/alternative keeps text/plain for Text and the richest HTML.
func (p *parser) multipart(e *Part, out *content) {
	var alts []*content
	for _, part := range e.Parts {
		target := out
		if e.Type == "multipart/alternative" {
			target = &content{}
			alts = append(alts, target)
		}
		p.entity(part, target)
	}
	if e.Type == "multipart/alternative" {
		pickAlternative(alts, out)
	}
}

// pickAlternative chooses among the parts of multipart/alternative
// (RFC 2046 §5.1.4): the first one with plain text gives Text, the last one
// with HTML gives HTML (the last part is the sender's preferred one).
func pickAlternative(alts []*content, out *content) {
	for _, a := range alts {
		if len(a.plain) > 0 {
			out.plain = append(out.plain, a.plain...)
			break
		}
	}
	for i := len(alts) - 1; i >= 0; i-- {
		if len(alts[i].html) > 0 {
			out.html = append(out.html, alts[i].html...)
			out.htmlText = append(out.htmlText, alts[i].htmlText...)
			break
		}
	}
}

// leaf handles a non-multipart entity: body text or attachment.
func (p *parser) leaf(h message.Header, mt string, params map[string]string, body []byte, out *content) {
	data := p.decodeTransfer(h, body)
	disp, dparams := p.disposition(h)
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	if filename == "" {
		filename = params["file"] // seen from old Windows mailers
	}
	filename = cleanFilename(headerText(filename, p.hint))
	isBody := (mt == "text/plain" || mt == "text/html") && disp != "attachment" && filename == ""
	if isBody {
		cs := params["charset"]
		if mt == "text/html" && cs == "" {
			cs = metaCharset(data)
		}
		text := p.decodeCharset(cs, data)
		if mt == "text/html" {
			out.html = append(out.html, text)
			out.htmlText = append(out.htmlText, htmlToText(text))
			return
		}
		text = normalizeNewlines(text)
		if strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		out.plain = append(out.plain, text)
		return
	}
	if filename == "" && (mt == "message/rfc822" || mt == "message/global") {
		filename = messageName(data, p.hint)
	}
	if filename == "" {
		filename = nameFromType(mt)
	}
	cid := strings.TrimSpace(h.Get("Content-Id"))
	cid = strings.TrimSuffix(strings.TrimPrefix(cid, "<"), ">")
	p.msg.Attachments = append(p.msg.Attachments, Attachment{
		Filename:    filename,
		ContentType: mt,
		ContentID:   cid,
		Inline:      disp == "inline" || (disp == "" && cid != ""),
		Data:        data,
	})
}
