package mailparse

import (
	"strings"
	"testing"
)

// TestParseHostileInputs feeds shapes that break naive parsers: deep
// nesting, thousands of parts, a boundary that never closes, garbage
// headers. Parse must return a message with bounded Errors and keep the
// readable text.
func TestParseHostileInputs(t *testing.T) {
	cases := map[string]struct {
		raw, wantText string
	}{
		"deep nesting":            {strings.Repeat("Content-Type: multipart/mixed; boundary=b\n\n--b\n", 2000) + "\nhi", ""},
		"many parts":              {"Content-Type: multipart/mixed; boundary=b\n\n" + strings.Repeat("--b\n\nx\n", 3000), "x"},
		"no boundary in body":     {"Content-Type: multipart/mixed; boundary=zz\n\nplain words", "plain words"},
		"boundary-less multipart": {"Content-Type: multipart/report;\n\nI'm multipart without boundary", "I'm multipart without boundary"},
		"mbox From line":          {"From someone@example.com Mon Jan  1 00:00:00 2026\nSubject: hi\n\nbody", "body"},
		"bad header wrap":         {"Subject: hi\nContent-Type: text/plain;\ncharset=utf-8\n\nbody", "body"},
		"binary garbage":          {"Subject: x\n\n\x00\xff\xfe garbage \x80", "garbage"},
		"header only":             {"Subject: only a header", ""},
		"quoted-printable junk":   {"Content-Transfer-Encoding: quoted-printable\n\n=ZZ=4=\n=41", "=ZZ=4A"},
		"similar boundary":        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\none\n--bb\nstill one\n--b--\n", "one\n--bb\nstill one"},
	}
	for name, c := range cases {
		m, err := Parse([]byte(c.raw))
		if m == nil {
			t.Fatalf("%s: nil message (err %v)", name, err)
		}
		if len(m.Errors) > maxErrors+1 {
			t.Errorf("%s: %d errors, want at most %d", name, len(m.Errors), maxErrors+1)
		}
		for _, e := range m.Errors {
			if strings.HasPrefix(e, "internal error") {
				t.Errorf("%s: panicked: %s", name, e)
			}
		}
		if !strings.Contains(m.Text, c.wantText) {
			t.Errorf("%s: Text = %q, want it to contain %q (errors %q)", name, m.Text, c.wantText, m.Errors)
		}
	}
}
