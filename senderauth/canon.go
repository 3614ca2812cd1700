package senderauth

import (
	"bytes"
	"regexp"
	"strings"
)

// DKIM canonicalization (RFC 6376 §3.4), needed here for ARC, whose
// signatures are DKIM-style but live in fields go-msgauth does not read.

// canonHeader canonicalizes one raw header field (CRLF included).
func canonHeader(raw []byte, relaxed bool) []byte {
	if !relaxed {
		return raw // simple: unchanged (§3.4.1)
	}
	s := string(raw)
	name, value, _ := strings.Cut(s, ":")
	// relaxed (§3.4.2): lower-case name, unfold, WSP runs to one space,
	// no WSP at the ends of the value or around the colon.
	value = strings.ReplaceAll(value, "\r\n", "")
	value = strings.ReplaceAll(value, "\n", "")
	value = wspRun.ReplaceAllString(value, " ")
	return []byte(strings.ToLower(strings.TrimRight(name, " \t")) + ":" + strings.Trim(value, " \t") + "\r\n")
}

var wspRun = regexp.MustCompile(`[ \t]+`)

// canonBody canonicalizes a body (§3.4.3, §3.4.4).
func canonBody(body []byte, relaxed bool) []byte {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	lines := bytes.Split(body, []byte("\n"))
	var out bytes.Buffer
	for _, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if relaxed {
			l = wspRun.ReplaceAll(l, []byte(" "))
			l = bytes.TrimRight(l, " \t")
		}
		out.Write(l)
		out.WriteString("\r\n")
	}
	b := out.Bytes()
	for bytes.HasSuffix(b, []byte("\r\n\r\n")) {
		b = b[:len(b)-2]
	}
	if bytes.Equal(b, []byte("\r\n")) {
		if relaxed {
			return nil // an empty body is empty (§3.4.4 and erratum 3133)
		}
		return b // simple: an empty body is one CRLF (§3.4.3)
	}
	return b
}

// withoutB empties the value of the b= tag of a signature field (§3.7:
// the signature is computed with b= empty), keeping bh= and the rest.
func withoutB(raw []byte) []byte {
	s := string(raw)
	colon := strings.IndexByte(s, ':')
	return []byte(s[:colon+1] + bTag.ReplaceAllString(s[colon+1:], "${1}"))
}

var bTag = regexp.MustCompile(`((?:^|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*`)

// parseTags reads a tag=value list (RFC 6376 §3.2); whitespace inside
// values (folding) is removed.
func parseTags(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		val = strings.Join(strings.Fields(val), "")
		if _, dup := out[k]; !dup && k != "" {
			out[k] = val
		}
	}
	return out
}
