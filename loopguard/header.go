package loopguard

import (
	"bytes"
	"io"
	"mime"
	"strings"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/emersion/go-message/charset"
)

// maxHeaderBytes bounds how much of a message is read as its header.
const maxHeaderBytes = 256 << 10

// field is one header field; name is lower-cased, value unfolded and trimmed.
type field struct{ name, value string }

// header is a leniently parsed header block: lines without a colon are skipped
// instead of failing, so that broken bounces are still classified.
type header []field

// headerOf is the top-level header of parsed as the rules read it, and the
// body after it. It is made from the fields textproto read when those are
// every line of the header and the guard's own reading would end the
// header at the same blank line; a header textproto rejected (or that is
// too big) is read again with parseHeader's lenient rules, as broken
// bounces must still be classified.
func headerOf(parsed *mailparse.Mail) (header, []byte) {
	raw := parsed.Raw[parsed.Start:]
	n := parsed.BodyStart - parsed.Start
	hdr := raw[:n]
	if parsed.HeaderLines() && n <= maxHeaderBytes && (!bytes.HasSuffix(hdr, []byte("\n\r\n")) || bytes.HasSuffix(hdr, []byte("\r\n\r\n"))) {
		h := make(header, 0, parsed.Header.Len())
		fields := parsed.Header.Fields()
		for fields.Next() {
			kv, _ := fields.Raw()
			f, ok := fieldOf(kv)
			if !ok {
				return reread(raw)
			}
			h = append(h, f)
		}
		return h, parsed.Body
	}
	return reread(raw)
}

// fieldOf is the field parseHeader makes of the raw bytes kv of one field
// (its line and continuation lines), with fewer copies: name lower-cased,
// the first line's value and every non-empty continuation line trimmed
// and joined by spaces. ok is false for a line parseHeader would skip.
func fieldOf(kv []byte) (field, bool) {
	s := string(kv)
	line, rest, _ := strings.Cut(s, "\n")
	name, value, ok := strings.Cut(strings.TrimSuffix(line, "\r"), ":")
	name = strings.TrimRight(name, " \t")
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return field{}, false
	}
	f := field{name: strings.ToLower(name), value: strings.TrimSpace(value)}
	if rest == "" {
		return f, true
	}
	var b strings.Builder
	b.WriteString(f.value)
	for rest != "" {
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			return field{}, false // not one field
		}
		if p := strings.TrimSpace(line); p != "" {
			b.WriteByte(' ')
			b.WriteString(p)
		}
	}
	if b.Len() != len(f.value) {
		f.value = b.String()
	}
	return f, true
}

// reread reads a header the guard could not take from mailparse.
func reread(raw []byte) (header, []byte) {
	parsecount.Header()
	return splitMessage(raw)
}

// splitMessage splits raw at the first empty line into a parsed header and the body.
func splitMessage(raw []byte) (header, []byte) {
	end, bodyStart := headerEnd(raw)
	return parseHeader(raw[:end]), raw[bodyStart:]
}

// headerEnd finds the end of the header block and the start of the body.
func headerEnd(raw []byte) (end, body int) {
	limit := raw
	if len(limit) > maxHeaderBytes {
		limit = limit[:maxHeaderBytes]
	}
	if bytes.HasPrefix(limit, []byte("\r\n")) {
		return 0, 2
	}
	if bytes.HasPrefix(limit, []byte("\n")) {
		return 0, 1
	}
	best, bestBody := -1, 0
	if i := bytes.Index(limit, []byte("\r\n\r\n")); i >= 0 {
		best, bestBody = i, i+4
	}
	if i := bytes.Index(limit, []byte("\n\n")); i >= 0 && (best < 0 || i < best) {
		best, bestBody = i, i+2
	}
	if best < 0 {
		return len(limit), len(limit)
	}
	return best, bestBody
}

// parseHeader unfolds and splits header lines (RFC 5322 §2.2). Continuation lines
// are joined once per field, so a header of many folded lines stays linear.
func parseHeader(b []byte) header {
	var h header
	var parts []string // pieces of the field being unfolded
	flush := func() {
		if len(parts) > 0 && len(h) > 0 {
			h[len(h)-1].value = strings.Join(append([]string{h[len(h)-1].value}, parts...), " ")
		}
		parts = parts[:0]
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				if p := strings.TrimSpace(line); p != "" {
					parts = append(parts, p)
				}
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			continue
		}
		flush()
		h = append(h, field{name: strings.ToLower(name), value: strings.TrimSpace(value)})
	}
	flush()
	return h
}

// get returns the first value of the named field ("" if absent).
func (h header) get(name string) string {
	v, _ := h.lookup(name)
	return v
}

// lookup returns the first value of the named field and whether it exists.
func (h header) lookup(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, f := range h {
		if f.name == name {
			return f.value, true
		}
	}
	return "", false
}

// decoder decodes RFC 2047 encoded words in any charset go-message knows.
var decoder = mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	return charset.Reader(cs, r)
}}

// decodeText decodes RFC 2047 encoded words; on failure the raw text is returned.
func decodeText(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := decoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}
