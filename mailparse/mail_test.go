package mailparse

import (
	"testing"

	"github.com/deskgate/deskgate/internal/parsecount"
)

// Read says when its header is every line of the raw header
// (HeaderLines) and when it is the raw bytes themselves (HeaderVerbatim),
// the conditions under which loopguard, senderauth and bridge use it
// instead of reading the header again.
func TestMailHeaderLines(t *testing.T) {
	cases := []struct {
		name            string
		raw             string
		lines, verbatim bool
	}{
		{"crlf", "From: a@x.test\r\nSubject: a\r\n folded\r\n\r\nbody\r\n", true, true},
		{"no body", "From: a@x.test\r\nTo: b@y.test\r\n", true, true},
		{"blank end", "From: a@x.test\r\n\r\n", true, true},
		{"empty header", "\r\nbody", true, true},
		{"empty", "", true, true},
		{"no final break", "From: a@x.test\r\nTo: b@y.test", true, false},
		{"bare lf", "From: a@x.test\nTo: b@y.test\n\nbody\n", true, false},
		{"lf then crlf blank", "From: a@x.test\n\r\nbody", true, false},
		{"mbox line", "From a@b Mon Jan  1 00:00:00 2024\r\nFrom: a@x.test\r\n\r\nbody\r\n", true, false},
		{"no colon", "From: a@x.test\r\nbroken\r\nTo: b@y.test\r\n\r\nbody\r\n", false, false},
		{"empty name dropped", "From: a@x.test\r\n: v\r\nTo: b@y.test\r\n\r\nbody\r\n", false, false},
		{"leading space", " From: a@x.test\r\n\r\nbody\r\n", false, false},
	}
	for _, c := range cases {
		m := Read([]byte(c.raw))
		if got := m.HeaderLines(); got != c.lines {
			t.Errorf("%s: HeaderLines %v, want %v", c.name, got, c.lines)
		}
		if got := m.HeaderVerbatim(); got != c.verbatim {
			t.Errorf("%s: HeaderVerbatim %v, want %v", c.name, got, c.verbatim)
		}
	}
}

// Read parses the header once and the MIME tree once; ParseMail parses
// neither again. A header that cannot be read at all has no tree.
func TestReadCountsOneParse(t *testing.T) {
	raw := []byte("From: a@x.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--B--\r\n")
	before := parsecount.Now()
	m := Read(raw)
	msg, err := ParseMail(m)
	if err != nil || msg.Text != "hello" || len(msg.Attachments) != 1 {
		t.Fatalf("parsed %+v, %v", msg, err)
	}
	if got := parsecount.Now().Sub(before); got != (parsecount.Counts{Header: 1, Tree: 1}) {
		t.Fatalf("counted %+v", got)
	}
	before = parsecount.Now()
	m = Read([]byte(" \x00\x01 not a header at all"))
	if !m.Unreadable() || m.Root != nil {
		t.Fatalf("unreadable header read: %+v", m)
	}
	if _, err := ParseMail(m); err == nil {
		t.Fatal("no error for an unreadable header")
	}
	if got := parsecount.Now().Sub(before); got != (parsecount.Counts{Header: 1}) {
		t.Fatalf("counted %+v", got)
	}
}
