package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mail admin inspecting saved mail that has no Return-Path gets the
// same verdict the server would give it: a person's mail whose From lists
// two authors (RFC 5322 §3.6.2), or has none at all, is not called a
// bounce "because of the null reverse path" it never had. An explicit
// Return-Path: <> or --mail-from "<>" still is the null sender.
func TestInspectAssumesNoNullSenderWithoutOne(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	body := "Subject: Hello\r\nMessage-ID: <h1@example.org>\r\n\r\nJust a question about my order.\r\n"
	twoAuthors := write("two.eml", "From: Ann <ann@example.org>, =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\r\n"+body)
	noFrom := write("nofrom.eml", body)
	nullPath := write("null.eml", "Return-Path: <>\r\nFrom: Ann <ann@example.org>\r\n"+body)

	var out, errb bytes.Buffer
	if code := run([]string{"inspect", twoAuthors, noFrom, nullPath}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	class := func(l string) (string, string) {
		var v struct{ Class, Reason string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		return v.Class, v.Reason
	}
	for i, name := range []string{"two authors", "no From"} {
		if c, r := class(lines[i]); c != "human" {
			t.Errorf("%s: class %q (%s), want human", name, c, r)
		}
	}
	if c, r := class(lines[2]); c != "bounce" || !strings.Contains(r, "null reverse path") {
		t.Errorf("Return-Path: <>: class %q (%s), want bounce by the null reverse path", c, r)
	}

	out.Reset()
	if code := run([]string{"inspect", "--mail-from", "<>", noFrom}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if c, _ := class(strings.TrimSpace(out.String())); c != "bounce" {
		t.Errorf(`--mail-from "<>": class %q, want bounce`, c)
	}
}

// What is not a mail at all (no header can be read, or nothing) still gets
// its line with errors, and the exit status says so, as docs/inbound.md
// promises; a readable mail with minor problems exits 0.
func TestInspectExitStatusForUnparsableInput(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     int
		errWord  string
	}{
		{"garbage", "garbage with no header\x00\xff\n", 1, "parse: "},
		{"empty", "", 1, "empty message"},
		{"a mail", "From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n", 0, ""},
	} {
		var out, errb bytes.Buffer
		code := run([]string{"inspect", "-"}, strings.NewReader(c.in), &out, &errb)
		var v struct{ Errors []string }
		if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &v); err != nil {
			t.Fatalf("%s: no JSON line: %q", c.name, out.String())
		}
		if code != c.want {
			t.Errorf("%s: exit %d, want %d (errors %q)", c.name, code, c.want, v.Errors)
		}
		if c.errWord != "" && (len(v.Errors) == 0 || !strings.Contains(strings.Join(v.Errors, "|"), c.errWord)) {
			t.Errorf("%s: errors %q lack %q", c.name, v.Errors, c.errWord)
		}
	}
}
