package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// inspect shows the decisions of mail understanding round two: the rule
// that classified (human despite X-Auto-Response-Suppress, list by a
// list-manager sender, own by our host name), a forward kept whole, the
// charset raw header text was read in, attachment names and the Cc list.
func TestInspectShowsDecisions(t *testing.T) {
	t.Setenv("DESKGATE_DOMAINS", "example.org")
	t.Setenv("DESKGATE_HOSTNAME", "desk.example.org")
	lg := func(n string) string { return filepath.Join("..", "..", "loopguard", "testdata", n) }
	mp := func(n ...string) string {
		return filepath.Join(append([]string{"..", "..", "mailparse", "testdata"}, n...)...)
	}
	files := []string{
		lg("outlook-x-auto-response-suppress.eml"),
		lg("list-bounces-verp.eml"),
		lg("own-message-id-any-local.eml"),
		mp("replies", "gmail-forward-fyi.eml"),
		mp("charsets", "koi8-r-undeclared.eml"),
		mp("attachments", "thunderbird-forward-inline-attachment.eml"),
	}
	var out, errb bytes.Buffer
	if code := run(append([]string{"inspect"}, files...), strings.NewReader(""), &out, &errb); code != 0 {
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
	if len(got) != len(files) {
		t.Fatalf("%d lines for %d files", len(got), len(files))
	}
	check := func(i int, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %v", filepath.Base(files[i]), got[i])
		}
	}
	str := func(i int, k string) string { s, _ := got[i][k].(string); return s }
	check(0, str(0, "class") == "human" && strings.Contains(str(0, "reason"), "X-Auto-Response-Suppress"))
	check(1, str(1, "class") == "list" && strings.Contains(str(1, "reason"), "LIST-bounces"))
	check(2, str(2, "class") == "own" && strings.Contains(str(2, "reason"), "host name"))
	check(3, got[3]["forwarded"] == true && strings.Contains(str(3, "reply_text"), "invoice 2026-1147 is overdue"))
	check(4, str(4, "header_charset") == "koi8-r" && str(4, "subject") == "Не приходит письмо для сброса пароля")
	atts, _ := got[5]["attachments"].([]any)
	check(5, len(atts) == 2 && atts[0].(map[string]any)["filename"] == "Rechnung 2026_1147 überfällig.eml")
	if cc, _ := got[0]["cc"].([]any); cc == nil {
		t.Errorf("no cc list: %v", got[0])
	}
}
