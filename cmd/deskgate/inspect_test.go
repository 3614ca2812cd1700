package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inspect prints one JSON line per input with the SPEC §2 fields, as the
// server's analysis sees it; unreadable input still gets a line.
func TestInspect(t *testing.T) {
	dir := t.TempDir()
	human := filepath.Join(dir, "human.eml")
	os.WriteFile(human, []byte("Return-Path: <carol@example.com>\r\nFrom: Carol <carol@example.com>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"+
		"Message-ID: <m1@example.com>\r\nIn-Reply-To: <dg.x@support.localhost>\r\nReferences: <a@x> <dg.x@support.localhost>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n"+
		"<p>Thanks!</p><script>x()</script><blockquote>old</blockquote>\r\n--B\r\nContent-Type: text/plain; name=a.txt\r\n"+
		"Content-Disposition: attachment; filename=a.txt\r\n\r\nfile\r\n--B--\r\n"), 0o600)
	dsn := filepath.Join(dir, "dsn.eml")
	os.WriteFile(dsn, []byte("Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"+
		"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\n"+
		"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 no such user\r\n\r\n--R--\r\n"), 0o600)
	var out, errb bytes.Buffer
	stdin := strings.NewReader("\x00\x01 not a mail at all")
	code := run([]string{"inspect", human, dsn, "-", filepath.Join(dir, "missing.eml")}, stdin, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d (want 1: one file is missing): %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		for _, k := range []string{"file", "class", "reason", "subject", "from", "message_id", "in_reply_to", "references",
			"reply_text", "html_sanitized", "attachments", "dsn", "errors"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("line lacks %q: %s", k, l)
			}
		}
		got = append(got, m)
	}
	h := got[0]
	if h["class"] != "human" || h["subject"] != "Grüße" || h["from"] != "carol@example.com" || h["message_id"] != "m1@example.com" ||
		strings.Contains(h["html_sanitized"].(string), "script") || !strings.Contains(h["reply_text"].(string), "Thanks!") {
		t.Fatalf("human: %v", h)
	}
	if refs := h["references"].([]any); len(refs) != 2 || refs[1] != "dg.x@support.localhost" {
		t.Fatalf("references %v", refs)
	}
	if att := h["attachments"].([]any); len(att) != 1 || att[0].(map[string]any)["filename"] != "a.txt" || att[0].(map[string]any)["size"].(float64) != 4 {
		t.Fatalf("attachments %v", att)
	}
	d := got[1]
	rs := d["dsn"].(map[string]any)["recipients"].([]any)
	if d["class"] != "bounce" || len(rs) != 1 || rs[0].(map[string]any)["status"] != "5.1.1" || rs[0].(map[string]any)["address"] != "gone@example.org" {
		t.Fatalf("dsn: %v", d)
	}
	if got[2]["file"] != "-" {
		t.Fatalf("stdin line %v", got[2])
	}
	if errs := got[3]["errors"].([]any); len(errs) != 1 || !strings.Contains(errs[0].(string), "missing.eml") {
		t.Fatalf("missing file line %v", got[3])
	}
}

// inspect says whether an automatic answer may go to the sender, and why:
// a person's mail asking not to be auto-answered (X-Auto-Response-Suppress,
// or sent by Bcc to undisclosed recipients) stays human.
func TestInspectAutoAnswer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, msg string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(msg, "\n", "\r\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := write("plain.eml", "From: carol@example.com\nTo: support@support.localhost\nSubject: Help\n\nHi\n")
	oof := write("oof.eml", "From: carol@example.com\nTo: support@support.localhost\nX-Auto-Response-Suppress: OOF\nSubject: Help\n\nHi\n")
	bcc := write("bcc.eml", "From: carol@example.com\nTo: undisclosed-recipients:;\nSubject: Help\n\nHi\n")
	auto := write("auto.eml", "From: carol@example.com\nTo: support@support.localhost\nAuto-Submitted: auto-replied\nSubject: Away\n\nAway\n")
	lines := func(args ...string) []map[string]any {
		var out, errb bytes.Buffer
		if code := run(append([]string{"inspect"}, args...), strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var got []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("not JSON: %s", l)
			}
			got = append(got, m)
		}
		return got
	}
	check := func(m map[string]any, class string, answer bool, reason string) {
		t.Helper()
		if m["class"] != class || m["auto_answer"] != answer || !strings.Contains(m["auto_answer_reason"].(string), reason) {
			t.Errorf("%s: class %v auto_answer %v %q; want %s %v %q", m["file"], m["class"], m["auto_answer"], m["auto_answer_reason"], class, answer, reason)
		}
	}
	got := lines(plain, oof, bcc, auto)
	check(got[0], "human", true, "a person's mail")
	check(got[1], "human", false, "X-Auto-Response-Suppress: OOF")
	check(got[2], "human", false, "RFC 3834 §2")
	check(got[3], "autoreply", false, "not a person's mail")
}
