package mailparse

import (
	"fmt"
	"mime"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
)

// mediaType returns the lower-cased media type and parameters of an entity.
// A missing Content-Type means text/plain (RFC 2045 §5.2); a malformed one
// is read leniently so a stray quote does not hide a multipart boundary or
// an attachment's name.
// The problem with a malformed one is returned as problem ("" when none).
func mediaType(h message.Header) (mt string, params map[string]string, problem string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}, ""
	}
	mt, params, err := h.ContentType()
	if err != nil {
		problem = fmt.Sprintf("malformed Content-Type %q: %v", v, err)
		mt, params = lenientParams(v)
	} else if strings.Contains(v, "*=") {
		params = prefer2231(params, v)
	}
	mt = strings.ToLower(mt)
	if !strings.Contains(mt, "/") {
		mt = "text/plain"
	}
	return mt, params, problem
}

// disposition returns the lower-cased Content-Disposition (RFC 2183) and its
// parameters, read leniently.
func (p *parser) disposition(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if strings.TrimSpace(v) == "" {
		return "", map[string]string{}
	}
	disp, params, err := h.ContentDisposition()
	if err != nil {
		p.msg.addError("malformed Content-Disposition %q: %v", v, err)
		disp, params = lenientParams(v)
	} else if strings.Contains(v, "*=") {
		params = prefer2231(params, v)
	}
	return strings.ToLower(disp), params
}

// prefer2231 re-reads RFC 2231 extended parameters (RFC 2231 §3–4) our
// way: mime.ParseMediaType decodes only UTF-8 and US-ASCII and drops or
// garbles segments in other charsets.
func prefer2231(params map[string]string, v string) map[string]string {
	_, lenient := lenientParams(v)
	for _, k := range []string{"filename", "name"} {
		if val, ok := lenient[k]; ok && val != "" {
			params[k] = val
		}
	}
	return params
}

// lenientParams splits "value; key=val; key2="val 2"" without the
// strictness of mime.ParseMediaType: unquoted specials, duplicates (first
// wins), missing semicolons before keys and RFC 2231 / RFC 2047 values are
// all tolerated.
func lenientParams(v string) (string, map[string]string) {
	params := map[string]string{}
	first, rest, _ := strings.Cut(v, ";")
	value := strings.ToLower(strings.TrimSpace(first))
	if i := strings.IndexAny(value, " \t"); i >= 0 {
		rest = value[i:] + ";" + rest
		value = value[:i]
	}
	ext := map[string][]string{}
	for _, kv := range splitParams(rest) {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = unquote(strings.TrimSpace(val))
		if k == "" {
			continue
		}
		if strings.Contains(k, "*") {
			ext[k] = append(ext[k], val)
			continue
		}
		if _, dup := params[k]; !dup {
			params[k] = decodeWords(val)
		}
	}
	for k, val := range decode2231(ext) {
		params[k] = val
	}
	return value, params
}

// splitParams splits on semicolons outside double quotes.
func splitParams(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inQuote && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
			continue
		case c == '"':
			inQuote = !inQuote
		case c == ';' && !inQuote:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String())
}

// unquote reads a parameter value: a quoted-string (RFC 2045 §5.1) up to
// its closing quote, with backslash escapes removed (anything after the
// closing quote, such as body text a missing blank line let into the
// header, is dropped); otherwise the value itself.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String() // no closing quote: take the rest
}

// decodeWords decodes RFC 2047 encoded-words, which many clients put in
// parameters although RFC 2047 §5 forbids it; on failure s is kept.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	if out, err := dec.DecodeHeader(padBase64Words(s)); err == nil {
		return out
	}
	return s
}

// bWord matches an RFC 2047 §2 encoded-word in the "B" encoding.
var bWord = regexp.MustCompile(`=\?([^?\s]+)\?([bB])\?([^?\s]*)\?=`)

// padBase64Words adds the "=" padding that some senders leave off the
// base64 text of "B" encoded-words (RFC 2047 §4.1 requires it; mail
// clients decode such words anyway), so that they decode rather than show
// as =?utf-8?B?…?= to the helpdesk.
func padBase64Words(s string) string {
	if !strings.Contains(s, "?=") {
		return s
	}
	return bWord.ReplaceAllStringFunc(s, func(w string) string {
		m := bWord.FindStringSubmatch(w)
		text := strings.TrimRight(m[3], "=")
		if len(text)%4 == 1 {
			return w // not base64 of anything: leave it as it is
		}
		for len(text)%4 != 0 {
			text += "="
		}
		return "=?" + m[1] + "?" + m[2] + "?" + text + "?="
	})
}

// decodeLeftoverWords decodes encoded-words a stricter decoder left in a
// decoded value (it keeps words it cannot decode, such as unpadded base64).
func decodeLeftoverWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return decodeWords(s)
}
