package senderauth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
)

// The header fields the checks take from mailparse.Read are the ones
// splitHeader reads from the raw bytes (issue 21: the header is read once):
// the same names, the same raw bytes at the same place, the same body, for
// every fixture and corpus mail, as stored and with CRLF line breaks.
func TestHeaderFieldsFromMail(t *testing.T) {
	mails := map[string][]byte{
		"mbox":      []byte("From a@b Mon Jan  1 00:00:00 2024\r\nFrom: a@x.test\r\n\r\nbody\r\n"),
		"no colon":  []byte("From: a@x.test\r\nbroken line\r\nTo: b@y.test\r\n\r\nbody\r\n"),
		"no name":   []byte("From: a@x.test\r\n: value\r\nTo: b@y.test\r\n\r\nbody\r\n"),
		"no body":   []byte("From: a@x.test\r\nTo: b@y.test\r\n"),
		"no break":  []byte("From: a@x.test\r\nTo: b@y.test"),
		"empty":     {},
		"blank":     []byte("\r\nbody\r\n"),
		"cr":        []byte("From: a@x.test\r\r\n\r\nbody\r\n"),
		"spaced":    []byte("From : a@x.test\r\nSubject:\r\n folded\r\n \r\n\r\nbody\r\n"),
		"trailing":  []byte("From: a@x.test\r\n\r\n"),
		"bare lf":   []byte("From: a@x.test\nTo: b@y.test\n\nbody\n"),
		"lf blank":  []byte("From: a@x.test\r\nTo: b@y.test\r\n\nbody\r\n"),
		"8bit name": []byte("Fr\xc3\xb6m: a@x.test\r\n\r\nbody\r\n"),
	}
	dirs := []string{"../loopguard/testdata", "../mailparse/testdata"}
	if c := os.Getenv("DESKGATE_CORPORA"); c != "" {
		dirs = append(dirs, c)
	}
	for _, d := range dirs {
		_ = filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && info.Size() < 4<<20 {
				if raw, err := os.ReadFile(p); err == nil {
					mails[p] = raw
					mails[p+" (CRLF)"] = []byte(strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n", "\r\n"))
				}
			}
			return nil
		})
	}
	shared := 0
	for name, raw := range mails {
		m := mailparse.Read(raw)
		before := parsecount.Now()
		fields, body := headerFields(raw, m)
		if parsecount.Now().Sub(before).Header == 0 {
			shared++
		}
		want, wantBody := splitHeader(raw)
		if len(fields) != len(want) || !bytes.Equal(body, wantBody) || (body == nil) != (wantBody == nil) {
			t.Errorf("%s: %d fields, body %.60q; want %d, %.60q", name, len(fields), body, len(want), wantBody)
			continue
		}
		for i := range fields {
			if fields[i].name != want[i].name || !bytes.Equal(fields[i].raw, want[i].raw) || offset(raw, fields[i].raw) != offset(raw, want[i].raw) {
				t.Errorf("%s: field %d %q %q, want %q %q", name, i, fields[i].name, fields[i].raw, want[i].name, want[i].raw)
			}
		}
		got, n := StripAuthResultsMail(raw, m, "example.com")
		wantStripped, wantN := StripAuthResults(raw, "example.com")
		if n != wantN || !bytes.Equal(got, wantStripped) {
			t.Errorf("%s: StripAuthResultsMail removed %d, StripAuthResults %d", name, n, wantN)
		}
	}
	if shared < 20 {
		t.Fatalf("only %d mails' fields were taken from mailparse.Read", shared)
	}
}
