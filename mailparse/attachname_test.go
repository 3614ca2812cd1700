package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttachmentNames: attached messages are named after their subject,
// nameless parts after their type, and colliding names made distinct
// (testdata/attachments).
func TestAttachmentNames(t *testing.T) {
	dir := filepath.Join("testdata", "attachments")
	rows := readTSV(t, filepath.Join(dir, "expected.tsv"))
	if len(rows) < 3 {
		t.Fatalf("only %d cases", len(rows))
	}
	for _, r := range rows {
		raw, err := os.ReadFile(filepath.Join(dir, r[0]))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", r[0], err)
		}
		var got []string
		for _, a := range msg.Attachments {
			got = append(got, a.Filename)
		}
		if strings.Join(got, "|") != r[1] {
			t.Errorf("%s: names %q, want %q", r[0], strings.Join(got, "|"), r[1])
		}
	}
}

func TestNameFromType(t *testing.T) {
	for mt, want := range map[string]string{
		"image/png": "image.png", "application/pdf": "attachment.pdf", "application/x-unknown": "attachment.bin",
		"text/x-log": "attachment.txt", "message/delivery-status": "delivery-status.txt", "video/mp4": "video.mp4",
	} {
		if got := nameFromType(mt); got != want {
			t.Errorf("nameFromType(%q) = %q, want %q", mt, got, want)
		}
	}
}
