package mailparse

import (
	"bytes"
	"encoding/base64"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// decodeTransfer reads a body and removes its Content-Transfer-Encoding
// (RFC 2045 §6). Base64 and quoted-printable are decoded leniently; an
// unknown encoding keeps the raw bytes (and says so in Errors).
func (p *parser) decodeTransfer(h message.Header, raw []byte) []byte {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	switch enc {
	case "", "7bit", "8bit", "binary":
		return raw
	case "base64":
		out, bad := decodeBase64(raw)
		if bad > 0 {
			p.msg.addError("malformed base64: %d characters outside the alphabet skipped", bad)
		}
		return out
	case "quoted-printable":
		return decodeQP(raw)
	default:
		p.msg.addError("unknown Content-Transfer-Encoding %q: body kept raw", enc)
		return raw
	}
}

// decodeBase64 decodes base64 (RFC 2045 §6.8) leniently: line breaks and
// characters outside the alphabet are skipped (and counted in bad), and
// padding ends a chunk rather than the body, so concatenated base64 blocks
// and truncated bodies still yield what they hold.
func decodeBase64(raw []byte) (out []byte, bad int) {
	out = make([]byte, 0, len(raw)*3/4)
	chunk := make([]byte, 0, 76)
	flush := func() {
		if len(chunk)%4 == 1 {
			chunk = chunk[:len(chunk)-1]
		}
		buf := make([]byte, base64.RawStdEncoding.DecodedLen(len(chunk)))
		n, _ := base64.RawStdEncoding.Decode(buf, chunk)
		out = append(out, buf[:n]...)
		chunk = chunk[:0]
	}
	for _, c := range raw {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			chunk = append(chunk, c)
			if len(chunk) == cap(chunk) {
				flush()
			}
		case c == '=':
			if len(chunk)%4 != 0 {
				flush() // padding closes a quantum
			}
		case c == '\r', c == '\n', c == ' ', c == '\t':
		default:
			bad++
		}
	}
	flush()
	return out, bad
}

// decodeQP decodes quoted-printable (RFC 2045 §6.7) leniently: soft line
// breaks with trailing whitespace are honoured and an "=" not followed by
// two hex digits is kept literally (RFC 2045 §6.7 note 1 recommends this).
func decodeQP(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		if j < len(raw) && (raw[j] == '\r' || raw[j] == '\n') {
			if raw[j] == '\r' && j+1 < len(raw) && raw[j+1] == '\n' {
				j++
			}
			i = j // soft line break
			continue
		}
		if j == len(raw) {
			i = j
			continue
		}
		if i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			out = append(out, unhex(raw[i+1])<<4|unhex(raw[i+2]))
			i += 2
			continue
		}
		out = append(out, c)
	}
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// decodeCharset converts a text body to UTF-8 and records a problem when the
// declared charset is unknown or wrong.
func (p *parser) decodeCharset(cs string, data []byte) string {
	s, err := toUTF8(cs, data)
	if err != "" {
		p.msg.addError("%s", err)
	}
	return s
}

// decodeBytes is decodeCharset without error reporting.
func decodeBytes(cs string, data []byte) string {
	s, _ := toUTF8(cs, data)
	return s
}

// toUTF8 converts data in charset cs to UTF-8. Bytes that are not valid
// UTF-8 after decoding (an unknown charset, or a lie such as Latin-1 sent
// as "us-ascii") are read as Windows-1252, the de-facto superset of
// ISO-8859-1 that such mail nearly always is (WHATWG Encoding §4.2 maps
// the "iso-8859-1" label to it for the same reason).
func toUTF8(cs string, data []byte) (string, string) {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"'`))
	cs = strings.TrimPrefix(cs, "charset=") // charset="charset=us-ascii", seen in the wild
	problem := ""
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819":
		// Windows-1252 agrees with ISO-8859-1 on every printable byte and
		// gives 0x80–0x9F (C1 controls, never meant in text) the curly
		// quotes and euro sign Outlook sends under this label (WHATWG
		// Encoding §4.2 maps the label the same way).
		out, _ := charmap.Windows1252.NewDecoder().Bytes(data)
		return string(out), ""
	case "utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csunicode11utf7":
		return decodeUTF7(data), "" // Exchange bounces still use it; x/text has no UTF-7
	default:
		r, err := charset.Reader(cs, bytes.NewReader(data))
		if err == nil {
			out, rerr := io.ReadAll(r)
			if rerr == nil {
				return strings.ToValidUTF8(string(out), "\uFFFD"), ""
			}
			problem = "charset " + cs + ": " + rerr.Error()
		} else {
			problem = "unknown charset " + cs + ": " + err.Error()
		}
	}
	if utf8.Valid(data) {
		if problem == "" && cs != "" && cs != "utf-8" && cs != "utf8" && hasHighBytes(data) {
			problem = "charset declared " + cs + " but text is UTF-8"
		}
		return string(data), problem
	}
	if legacyEncoding(cs) == nil && problem == "" {
		// Undeclared (or declared UTF-8 or US-ASCII, which it is not):
		// a legacy CJK or Cyrillic charset when the text reads as one.
		if label, enc := guessCharsetLabel(data[:min(len(data), maxGuessBytes)]); enc != nil {
			if out, ok := decodeStrict(enc, data); ok {
				return out, "text is not valid " + orDefault(cs, "UTF-8") + ": read as " + label + " (guessed)"
			}
		}
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD"), problem
	}
	if problem == "" {
		problem = "text is not valid " + orDefault(cs, "UTF-8") + ": read as Windows-1252"
	}
	return string(out), problem
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// metaRe finds the charset an HTML document declares for itself
// (HTML §4.2.5.4 <meta charset> or the http-equiv form).
var metaRe = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)`)

// metaCharset returns the charset declared in the first 2 KB of an HTML
// body, "" if none.
func metaCharset(b []byte) string {
	if m := metaRe.FindSubmatch(b[:min(len(b), 2048)]); m != nil {
		return string(m[1])
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// decodeUTF7 decodes UTF-7 (RFC 2152): "+" opens a run of modified base64
// holding UTF-16BE, ended by "-" (absorbed) or any non-base64 byte; "+-" is
// a literal "+".
func decodeUTF7(data []byte) string {
	var b strings.Builder
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '+' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(data) && isBase64Char(data[j]) {
			j++
		}
		if j == i+1 {
			b.WriteByte('+')
			if j < len(data) && data[j] == '-' {
				j++
			}
			i = j - 1
			continue
		}
		raw, _ := decodeBase64(data[i+1 : j])
		units := make([]uint16, 0, len(raw)/2)
		for k := 0; k+1 < len(raw); k += 2 {
			units = append(units, uint16(raw[k])<<8|uint16(raw[k+1]))
		}
		b.WriteString(string(utf16.Decode(units)))
		if j < len(data) && data[j] == '-' {
			j++
		}
		i = j - 1
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// fixUTF8 reads a string that is not valid UTF-8 (raw 8-bit bytes in a
// header, against RFC 5322 §2.2 but common) as Windows-1252.
func fixUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return decodeBytes("windows-1252", []byte(s))
}

// cleanFilename makes a sender's filename safe to show and store: valid
// UTF-8, no directory part ("../../x" or "C:\\x"), no control characters.
func cleanFilename(name string) string {
	name = fixUTF8(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// charsetReader adapts go-message's charset table to mime.WordDecoder.
func charsetReader(cs string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(cs) {
	case "utf-8", "us-ascii":
		return input, nil
	case "utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7":
		// RFC 2152; x/text has no UTF-7, and old webmail and Exchange
		// still label encoded-words with it.
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return strings.NewReader(decodeUTF7(b)), nil
	}
	return charset.Reader(cs, input)
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676 §4.2):
// a line ending in a space continues on the next line, unless it is the
// signature separator "-- ". With delsp=yes the trailing space is removed.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		// Space-stuffing (RFC 3676 §4.4).
		if strings.HasPrefix(line[depth:], " ") && depth == 0 {
			line = line[1:]
		}
		for strings.HasSuffix(line, " ") && line != "-- " && strings.TrimLeft(line, ">") != " -- " && i+1 < len(lines) {
			next := lines[i+1]
			nd := 0
			for nd < len(next) && next[nd] == '>' {
				nd++
			}
			if nd != depth {
				break
			}
			next = next[nd:]
			if depth == 0 && strings.HasPrefix(next, " ") {
				next = next[1:]
			} else if depth > 0 {
				next = strings.TrimPrefix(next, " ")
			}
			if delsp {
				line = line[:len(line)-1]
			}
			line += next
			i++
		}
		b.WriteString(line)
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
