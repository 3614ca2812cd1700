package mailparse

import (
	"bytes"
)

// splitMultipart cuts a multipart body into its parts (RFC 2046 §5.1.1).
// A delimiter is "--boundary" at the start of a line, followed only by
// optional "--" (the close delimiter) and transport padding; the line break
// before it belongs to it. The preamble and epilogue are dropped. closed is
// false when the close delimiter is missing (the last part then runs to the
// end of the body); found is false when no delimiter occurs at all.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed, found bool) {
	delim := []byte("--" + boundary)
	start := -1 // start of the current part's content
	pos := 0
	for pos <= len(body) {
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		next := len(body) + 1
		line := body[pos:]
		if lineEnd >= 0 {
			line = body[pos : pos+lineEnd]
			next = pos + lineEnd + 1
		}
		if kind := delimiterKind(line, delim); kind != 0 {
			found = true
			if start >= 0 {
				parts = append(parts, trimLineBreak(body[start:pos]))
			}
			if kind == 2 {
				return parts, true, true
			}
			start = min(next, len(body))
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false, found
}

// delimiterKind is 1 for a delimiter line, 2 for the close delimiter, 0
// otherwise.
func delimiterKind(line, delim []byte) int {
	if !bytes.HasPrefix(line, delim) {
		return 0
	}
	rest := line[len(delim):]
	kind := 1
	if bytes.HasPrefix(rest, []byte("--")) {
		kind, rest = 2, rest[2:]
	}
	if len(bytes.Trim(rest, " \t\r")) != 0 {
		return 0 // a longer boundary that merely starts like this one
	}
	return kind
}

// trimLineBreak removes the CRLF or LF that belongs to the next delimiter.
func trimLineBreak(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
