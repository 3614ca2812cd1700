package senderauth

import (
	"bytes"
	"strings"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
)

// field is one header field of a raw message as it arrived: its bytes
// (folded lines and the final line break included), and its name.
type field struct {
	name string // as written
	raw  []byte
}

// value is the field's body after the colon, unfolded lines joined as
// they were (CRLFs kept), without the final line break.
func (f field) value() string {
	v := f.raw[len(f.name)+1:]
	return strings.TrimRight(string(v), "\r\n")
}

// headerFields is splitHeader(raw), made from the fields of m (raw read by
// mailparse.Read) when those are raw's header byte for byte
// (m.HeaderVerbatim: CRLF line breaks, as SMTP carries mail): then the
// header is not read again. Otherwise (no m, an mbox line, a broken
// header, bare LF line breaks) raw's header is read by splitHeader, whose
// rules are go-msgauth's.
func headerFields(raw []byte, m *mailparse.Mail) ([]field, []byte) {
	if m != nil && len(m.Raw) == len(raw) && (len(raw) == 0 || &m.Raw[0] == &raw[0]) && m.HeaderVerbatim() {
		fields := make([]field, 0, m.Header.Len())
		pos := 0
		all := m.Header.Fields()
		for all.Next() {
			kv, _ := all.Raw()
			colon := bytes.IndexByte(kv, ':')
			fields = append(fields, field{name: string(kv[:colon]), raw: raw[pos : pos+len(kv)]})
			pos += len(kv)
		}
		if pos == len(raw) {
			return fields, nil // no blank line: no body
		}
		return fields, m.Body
	}
	parsecount.Header()
	return splitHeader(raw)
}

// splitHeader cuts raw into its header fields and the body that follows
// the empty line (RFC 5322 §2.1). A line without a colon ends the header
// like the empty line does (it is then the body's, as go-msgauth reads it).
func splitHeader(raw []byte) (fields []field, body []byte) {
	pos := 0
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		if end < 0 {
			end = len(raw)
		} else {
			end += pos + 1
		}
		line := raw[pos:end]
		switch {
		case len(bytes.TrimRight(line, "\r\n")) == 0:
			return fields, raw[end:]
		case (line[0] == ' ' || line[0] == '\t') && len(fields) > 0:
			last := &fields[len(fields)-1]
			last.raw = raw[offset(raw, last.raw):end]
		default:
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				return fields, raw[pos:]
			}
			fields = append(fields, field{name: string(line[:colon]), raw: line})
		}
		pos = end
	}
	return fields, nil
}

// headerValues returns the values of every field named name, top first.
func headerValues(fields []field, name string) []string {
	var out []string
	for _, f := range fields {
		if strings.EqualFold(strings.TrimSpace(f.name), name) {
			out = append(out, f.value())
		}
	}
	return out
}

// StripAuthResults removes every Authentication-Results field that claims
// to come from authservID (RFC 8601 §5: a receiver removes or renames the
// fields that bear its own authserv-id, since it did not write them), and
// returns raw unchanged when there is none.
func StripAuthResults(raw []byte, authservID string) ([]byte, int) {
	return StripAuthResultsMail(raw, nil, authservID)
}

// StripAuthResultsMail is StripAuthResults of raw read already by
// mailparse.Read as m (nil: raw's header is read here).
func StripAuthResultsMail(raw []byte, m *mailparse.Mail, authservID string) ([]byte, int) {
	fields, _ := headerFields(raw, m)
	n := 0
	var out []byte
	pos := 0
	for _, f := range fields {
		if !strings.EqualFold(strings.TrimSpace(f.name), "Authentication-Results") || !strings.EqualFold(authservIDOf(f.value()), authservID) {
			continue
		}
		start := offset(raw, f.raw)
		out = append(out, raw[pos:start]...)
		pos = start + len(f.raw)
		n++
	}
	if n == 0 {
		return raw, 0
	}
	return append(out, raw[pos:]...), n
}

// offset is where sub (a subslice of raw) starts in raw.
func offset(raw, sub []byte) int {
	return cap(raw) - cap(sub)
}

// authservIDOf is the authserv-id of an Authentication-Results value: its
// first token, before any version, comment or ";" (RFC 8601 §2.2).
func authservIDOf(v string) string {
	v = stripComments(v)
	v, _, _ = strings.Cut(v, ";")
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], ".")
}

// stripComments removes RFC 5322 comments "(...)", nested or not.
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
