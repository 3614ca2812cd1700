package mailparse

import (
	"bufio"
	"bytes"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// readHeaders fills the decoded header fields of msg from msg.Header; raw
// 8-bit text is read in charset hint (the body's, see headerText).
func readHeaders(msg *Message, hint string) {
	h := msg.Header
	if h.Has("Subject") {
		s, err := h.Subject()
		if err != nil {
			if message.IsUnknownCharset(err) {
				msg.addError("Subject: %v (kept encoded)", err)
			} else {
				msg.addError("Subject: %v", err)
			}
			s = decodeWords(h.Get("Subject"))
		}
		if strings.Contains(s, "=?") {
			s = decodeWords(h.Get("Subject")) // words the strict decoder left, e.g. unpadded base64
		}
		msg.Subject = headerText(s, hint)
	}
	msg.From = first(parseAddressListIn(h.Get("From"), hint))
	msg.To = parseAddressListIn(strings.Join(fieldValues(h.Header, "To"), ", "), hint)
	msg.Cc = parseAddressListIn(strings.Join(fieldValues(h.Header, "Cc"), ", "), hint)
	msg.ReplyTo = parseAddressListIn(h.Get("Reply-To"), hint)
	msg.Date = parseDate(h.Get("Date"))
	if ids := ParseMessageIDs(h.Get("Message-Id")); len(ids) > 0 {
		msg.MessageID = ids[0]
	}
	msg.InReplyTo = ParseMessageIDs(h.Get("In-Reply-To"))
	msg.References = ParseMessageIDs(strings.Join(fieldValues(h.Header, "References"), " "))
}

// fieldValues returns every value of a header field (some senders repeat
// To or Cc although RFC 5322 §3.6 allows one).
func fieldValues(h message.Header, key string) []string {
	var out []string
	fields := h.FieldsByKey(key)
	for fields.Next() {
		out = append(out, fields.Value())
	}
	return out
}

func first(as []Address) Address {
	if len(as) == 0 {
		return Address{}
	}
	return as[0]
}

// dateLayouts are the Date forms seen in the wild besides RFC 5322 §3.3,
// which net/mail already reads.
var dateLayouts = []string{
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 January 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 January 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	time.RFC3339,
}

// parseDate reads a Date header (RFC 5322 §3.3) leniently; zero if it cannot.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := parseMailDate(v); err == nil {
		return t
	}
	// Drop a trailing comment such as "(UTC)" and doubled spaces.
	if i := strings.Index(v, "("); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	v = strings.Join(strings.Fields(v), " ")
	// Drop a weekday, spelled out or not, before the comma.
	if day, rest, ok := strings.Cut(v, ","); ok && strings.IndexFunc(day, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		v = strings.TrimSpace(rest)
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// salvageHeader re-reads a header that textproto.ReadHeader rejected. A
// line that is not a field right after a field is taken as a continuation
// its sender forgot to indent (a bad wrap, RFC 5322 §2.2.3); lines before
// the first field (an mbox "From " line, a first line starting with a
// space) are dropped. ok is false when no field is left.
func salvageHeader(raw []byte) (textproto.Header, []byte, bool) {
	end, sepLen := headerEnd(raw)
	var clean bytes.Buffer
	kept := 0
	for _, line := range bytes.Split(raw[:end], []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		i := bytes.IndexByte(line, ':')
		switch {
		case line[0] != ' ' && line[0] != '\t' && i > 0 && validKey(line[:i]):
			kept++
		case kept > 0:
			clean.WriteByte(' ') // continuation, indented or not
			line = bytes.TrimLeft(line, " \t")
		default:
			continue
		}
		clean.Write(line)
		clean.WriteString("\r\n")
	}
	clean.WriteString("\r\n")
	h, err := textproto.ReadHeader(bufio.NewReader(&clean))
	if err != nil || kept == 0 {
		return textproto.Header{}, nil, false
	}
	return h, raw[min(end+sepLen, len(raw)):], true
}

// headerEnd finds the blank line ending the header (RFC 5322 §2.1).
func headerEnd(raw []byte) (int, int) {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		if i+1 < len(raw) && raw[i+1] == '\n' {
			return i + 1, 1
		}
		if i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n' {
			return i + 1, 2
		}
	}
	return len(raw), 0
}

// validKey reports whether b is a field name (RFC 5322 §3.6.8: printable
// US-ASCII except colon, no spaces).
func validKey(b []byte) bool {
	for _, c := range bytes.TrimRight(b, " \t") {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return len(b) > 0
}
