package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedFixtures adds every testdata/*.eml file to the fuzz corpus.
func seedFixtures(f *testing.F, add func([]byte)) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	more, err2 := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	files = append(files, more...)
	if err != nil || err2 != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v %v", err, err2)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(raw)
	}
}

// FuzzParse checks that Parse never panics (its last-resort recover would
// record an "internal error"), always returns a message, and keeps its
// output promises: UTF-8 text, no script in the sanitized HTML.
func FuzzParse(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b) })
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--"))
	f.Add([]byte("Subject: =?utf-8?q?=ZZ?=\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, _ := Parse(raw)
		if m == nil {
			t.Fatal("nil message")
		}
		for _, e := range m.Errors {
			if strings.HasPrefix(e, "internal error") {
				t.Fatalf("Parse panicked: %s", e)
			}
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.ReplyText) {
			t.Errorf("invalid UTF-8: Text %q ReplyText %q", m.Text, m.ReplyText)
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") {
			t.Errorf("script survived sanitizing: %q", m.HTML)
		}
	})
}

// FuzzExtractReply checks that ExtractReply never panics, never grows its
// input (it only removes and trims lines) and keeps valid UTF-8 valid.
func FuzzExtractReply(f *testing.F) {
	seedFixtures(f, func(b []byte) {
		if m, err := Parse(b); err == nil {
			f.Add(m.Text)
		}
	})
	f.Add("Hi\n\nOn Mon, 1 Jan 2026 at 10:00, A <a@b> wrote:\n> x\n")
	f.Add("```\n--\n```\n> q\n\n-- \nsig")
	f.Fuzz(func(t *testing.T, text string) {
		got := ExtractReply(text)
		if len(got) > len(text) {
			t.Errorf("output longer than input: %q -> %q", text, got)
		}
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8 out of valid input: %q -> %q", text, got)
		}
		// A forward keeps the forwarded part whole: at most one blank line
		// more than the input, never invalid UTF-8.
		fwd := ExtractReplyForward(text)
		if len(fwd) > len(text)+1 {
			t.Errorf("forward output longer than input: %q -> %q", text, fwd)
		}
		if utf8.ValidString(text) && !utf8.ValidString(fwd) {
			t.Errorf("invalid UTF-8 out of valid input (forward): %q -> %q", text, fwd)
		}
	})
}
