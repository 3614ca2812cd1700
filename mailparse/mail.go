package mailparse

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Mail is one raw mail read once: its top-level header (go-message's
// textproto) and its MIME tree, split on byte slices of Raw. Parse decodes
// it into a Message; package loopguard classifies it and package
// senderauth reads its header fields, so the header and the MIME tree of an
// inbound mail are parsed once however many packages look at it (issue 21).
// A Mail is not modified after Read and is safe to share.
type Mail struct {
	Raw []byte // as given
	// Start is the length of the mbox "From " line (RFC 4155) skipped
	// before the header, 0 when there is none.
	Start int
	// Header is the top-level header. When textproto rejected it,
	// HeaderErr says why and Header holds the fields salvageHeader kept
	// (Salvaged), or none when not even those could be read (then the
	// whole mail is text: Unreadable).
	Header    textproto.Header
	HeaderErr error
	Salvaged  bool
	// BodyStart is where the body begins in Raw (after the blank line
	// ending the header; len(Raw) when there is none). Body is
	// Raw[BodyStart:].
	BodyStart int
	Body      []byte
	// Root is the top-level entity, nil when the header was unreadable.
	Root *Part
	// panicked is a bug found while reading, reported by Parse.
	panicked string
	// lines and verbatim are HeaderLines and HeaderVerbatim.
	lines, verbatim bool
}

// Unreadable reports that not even a salvaged header could be read.
func (m *Mail) Unreadable() bool { return m.HeaderErr != nil && !m.Salvaged }

// Part is one MIME entity (RFC 2045 §2.4) of a Mail.
type Part struct {
	// Header is the entity's header as read (salvaged when textproto
	// rejected it: HeaderErr); empty for the top level's own Part, which
	// shares Mail.Header.
	Header    textproto.Header
	HeaderErr error
	// Body is the entity's raw body (transfer encoding not removed).
	Body []byte
	// Type and Params are the media type (lower-cased) and parameters
	// Parse reads the entity as: the Content-Type read leniently,
	// text/plain when it is missing or is a multipart without boundary,
	// message/rfc822 for a part of multipart/digest without one.
	Type   string
	Params map[string]string
	// Boundary is set for a multipart that was split: Parts are its
	// parts (nil when the boundary never occurs), Closed says the close
	// delimiter was found.
	Boundary string
	Parts    []*Part
	Closed   bool
	// Ignored: beyond maxParts, not looked at.
	Ignored bool
	// notes are the problems found reading the entity, in the order
	// Parse reports them.
	notes []string
	// bare: Parse reads the body as text/plain without any header (a
	// multipart whose boundary never occurs).
	bare bool
}

// Read reads raw once: header and MIME tree. It never fails and never
// panics; what it could not read is reported by Parse.
func Read(raw []byte) (m *Mail) {
	m = &Mail{Raw: raw}
	defer func() {
		if r := recover(); r != nil {
			// Last resort: a bug must not lose the mail.
			stack := debug.Stack()
			m.panicked = fmt.Sprintf("internal error while parsing: %v\n%s", r, stack[:min(len(stack), 2048)])
		}
	}()
	parsecount.Header()
	body := skipMboxFrom(raw)
	m.Start = len(raw) - len(body)
	h, rest, herr := readHeader(body)
	if herr != nil {
		m.HeaderErr = herr
		var ok bool
		h, rest, ok = salvageHeader(body)
		if !ok {
			m.BodyStart, m.Body = len(raw), raw[len(raw):]
			return m
		}
		m.Salvaged = true
	}
	m.Header, m.Body = h, rest
	m.BodyStart = len(raw) - len(rest)
	m.lines = m.headerLines()
	m.verbatim = m.lines && m.headerVerbatim()
	parsecount.Tree()
	b := &builder{}
	m.Root = b.entity(h, rest, 0, false)
	return m
}

// builder splits the MIME tree of one mail.
type builder struct {
	parts int
}

// entity reads one entity with header h and raw body.
func (b *builder) entity(h textproto.Header, body []byte, depth int, digestPart bool) *Part {
	e := &Part{Header: h, Body: body}
	b.parts++
	if b.parts > maxParts {
		e.Ignored = true
		if b.parts == maxParts+1 {
			e.note("more than %d MIME parts: rest ignored", maxParts)
		}
		return e
	}
	ch := message.Header{Header: h}
	if digestPart && h.Get("Content-Type") == "" {
		ch = message.Header{Header: h.Copy()}
		ch.Set("Content-Type", "message/rfc822") // RFC 2046 §5.1.5
	}
	mt, params, problem := mediaType(ch)
	if problem != "" {
		e.note("%s", problem)
	}
	if strings.HasPrefix(mt, "multipart/") && depth >= maxDepth {
		e.note("%s nested deeper than %d levels: kept as an attachment", mt, maxDepth)
	}
	if strings.HasPrefix(mt, "multipart/") && depth < maxDepth {
		if boundary := params["boundary"]; boundary != "" {
			e.Type, e.Params, e.Boundary = mt, params, boundary
			b.multipart(e, depth)
			return e
		}
		e.note("%s without boundary parameter: read as text", mt)
		mt = "text/plain"
	}
	e.Type, e.Params = mt, params
	return e
}

// multipart splits e at its boundary (RFC 2046 §5.1).
func (b *builder) multipart(e *Part, depth int) {
	parts, closed, found := splitMultipart(e.Body, e.Boundary)
	if !found {
		e.note("%s: boundary %q not found: body read as text", e.Type, e.Boundary)
		e.bare = true
		return
	}
	e.Closed = closed
	if !closed {
		e.note("%s: missing final boundary %q", e.Type, e.Boundary)
	}
	e.Parts = make([]*Part, 0, len(parts))
	for _, raw := range parts {
		h, pbody, err := readHeader(raw)
		if err != nil {
			var ok bool
			if h, pbody, ok = salvageHeader(raw); !ok {
				h, pbody = textproto.Header{}, raw
			}
		}
		var first string
		if err != nil {
			first = fmt.Sprintf("%s: malformed header in a part, lines repaired or skipped: %v", e.Type, err)
		}
		p := b.entity(h, pbody, depth+1, e.Type == "multipart/digest")
		p.HeaderErr = err
		if first != "" {
			p.notes = append([]string{first}, p.notes...)
		}
		e.Parts = append(e.Parts, p)
	}
}

func (e *Part) note(format string, args ...any) {
	e.notes = append(e.notes, fmt.Sprintf(format, args...))
}

// HeaderLines reports whether every line of the top-level header belongs
// to one of Header's fields, in order: textproto read it without error and
// skipped no line (it drops a field with an empty name). Readers with
// their own rules for broken headers (loopguard, senderauth) use Header
// only then.
func (m *Mail) HeaderLines() bool { return m.lines }

// HeaderVerbatim reports whether Raw begins with Header's fields byte for
// byte: no mbox line, every line of the header a field's (HeaderLines),
// CRLF line breaks as SMTP carries mail. The raw bytes of each field
// (Header.Fields().Raw()) are then Raw's, one after the other.
func (m *Mail) HeaderVerbatim() bool { return m.verbatim }

// headerLines is HeaderLines, by counting line breaks (the header is not
// read again).
func (m *Mail) headerLines() bool {
	if m.HeaderErr != nil {
		return false
	}
	kept := 0
	fields := m.Header.Fields()
	for fields.Next() {
		raw, _ := fields.Raw()
		kept += bytes.Count(raw, []byte("\n"))
	}
	hdr := m.Raw[m.Start:m.BodyStart]
	lines := bytes.Count(hdr, []byte("\n"))
	if len(hdr) > 0 && hdr[len(hdr)-1] != '\n' {
		lines++ // a last line without line break, at the end of the mail
	}
	if string(hdr) == "\n" || string(hdr) == "\r\n" || bytes.HasSuffix(hdr, []byte("\n\n")) || bytes.HasSuffix(hdr, []byte("\n\r\n")) {
		kept++ // the blank line ending the header
	}
	return kept == lines
}

// headerVerbatim is HeaderVerbatim for a header whose lines are its
// fields', by comparing bytes.
func (m *Mail) headerVerbatim() bool {
	if m.Start != 0 {
		return false
	}
	pos := 0
	fields := m.Header.Fields()
	for fields.Next() {
		kv, _ := fields.Raw()
		if len(m.Raw)-pos < len(kv) || !bytes.Equal(m.Raw[pos:pos+len(kv)], kv) {
			return false
		}
		pos += len(kv)
	}
	rest := m.Raw[pos:]
	return len(rest) == 0 || bytes.HasPrefix(rest, []byte("\r\n"))
}
