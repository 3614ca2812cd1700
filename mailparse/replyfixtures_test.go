package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplyFixtures parses every testdata/replies/NAME.eml, real-looking
// mails from Gmail, Outlook, Apple Mail, Thunderbird and Android clients in
// several languages, and compares ReplyText with NAME.want: inline answers
// kept with the quotes they answer, quote headers recognised, forwarded
// messages kept.
func TestReplyFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "replies", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("only %d reply fixtures", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".want")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got, w := msg.ReplyText, strings.TrimSpace(string(want)); got != w {
			t.Errorf("%s:\n--- got\n%s\n--- want\n%s", filepath.Base(f), got, w)
		}
	}
}
