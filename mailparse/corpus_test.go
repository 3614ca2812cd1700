package mailparse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/testenv"
)

// corpusDir returns the folder of one corpus under $DESKGATE_CORPORA, or
// skips the test when the variable is unset.
func corpusDir(t testing.TB, name string) string {
	t.Helper()
	root := os.Getenv("DESKGATE_CORPORA")
	if root == "" {
		testenv.Unavailable(t, "DESKGATE_CORPORA is not set: skipping the %s corpus (set it to the shared corpora folder)", name)
	}
	dir := filepath.Join(root, name)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("corpus %s: %v", name, err)
	}
	return dir
}

// readTSV reads a tab-separated file with a header row.
func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if i == 0 || line == "" {
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	var v string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON string %q: %v", s, err)
	}
	return v
}

// Floors reached by ExtractReply: a change that scores lower fails.
const (
	trimmerFloor     = 64.0 / 64 // email_reply_trimmer: exact matches
	parserFloor      = 17.0 / 18 // email_reply_parser: cases passing its rules
	parserExactFloor = 9.0 / 9   // email_reply_parser: cases with an exact reply
)

// TestCorpusEmailReplyTrimmer scores ExtractReply against discourse's
// email_reply_trimmer expectations: exact match after trimming both sides.
func TestCorpusEmailReplyTrimmer(t *testing.T) {
	dir := corpusDir(t, "email_reply_trimmer")
	rows := readTSV(t, filepath.Join(dir, "expected.tsv"))
	pass := 0
	for _, r := range rows {
		raw, err := os.ReadFile(filepath.Join(dir, r[0]))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(jsonString(t, r[1]))
		got := strings.TrimSpace(ExtractReply(string(raw)))
		if got == want {
			pass++
			continue
		}
		t.Logf("MISMATCH %s\n--- want\n%s\n--- got\n%s", r[0], want, got)
	}
	rate := float64(pass) / float64(len(rows))
	t.Logf("email_reply_trimmer: %d/%d exact (%.1f%%)", pass, len(rows), 100*rate)
	if rate < trimmerFloor {
		t.Errorf("email_reply_trimmer exact-match rate %.3f below floor %.3f", rate, trimmerFloor)
	}
}

// parserCase is one entry of email_reply_parser's expected.json.
type parserCase struct {
	File          string                     `json:"file"`
	Hidden        []bool                     `json:"hidden"`
	FragmentExact map[string]string          `json:"fragment_exact"`
	FragmentRegex map[string]json.RawMessage `json:"fragment_regex"`
	ExpectedReply *string                    `json:"expected_reply"`
}

// TestCorpusEmailReplyParser scores ExtractReply by github's
// email_reply_parser rules: the exact reply where one is given; otherwise
// the first visible fragment starts the reply and no hidden fragment's
// text is kept.
func TestCorpusEmailReplyParser(t *testing.T) {
	dir := corpusDir(t, "email_reply_parser")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []parserCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	pass, scored, exact, exactPass := 0, 0, 0, 0
	for _, c := range cases {
		body, err := os.ReadFile(filepath.Join(dir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		got := ExtractReply(string(body))
		ok, checked := scoreParserCase(t, c, string(body), got)
		if !checked {
			continue
		}
		scored++
		if c.ExpectedReply != nil {
			exact++
			if ok {
				exactPass++
			}
		}
		if ok {
			pass++
			continue
		}
		t.Logf("MISMATCH %s\n--- got\n%s", c.File, got)
	}
	exactRate := float64(exactPass) / float64(exact)
	t.Logf("email_reply_parser: %d/%d exact replies (%.1f%%)", exactPass, exact, 100*exactRate)
	if exactRate < parserExactFloor {
		t.Errorf("email_reply_parser exact-reply rate %.3f below floor %.3f", exactRate, parserExactFloor)
	}
	rate := float64(pass) / float64(scored)
	t.Logf("email_reply_parser: %d/%d pass (%.1f%%)", pass, scored, 100*rate)
	if rate < parserFloor {
		t.Errorf("email_reply_parser pass rate %.3f below floor %.3f", rate, parserFloor)
	}
}

// scoreParserCase applies one case's checks; checked is false when the case
// asserts nothing about the reply (performance-only cases).
func scoreParserCase(t *testing.T, c parserCase, body, got string) (ok, checked bool) {
	if c.ExpectedReply != nil {
		return strings.TrimSpace(got) == strings.TrimSpace(*c.ExpectedReply), true
	}
	ok = true
	if want, has := c.FragmentExact["0"]; has && (len(c.Hidden) == 0 || !c.Hidden[0]) {
		checked = true
		if !strings.HasPrefix(strings.TrimSpace(got), strings.TrimSpace(want)) {
			t.Logf("%s: reply does not start with visible fragment 0 %q", c.File, want)
			ok = false
		}
	}
	if res, has := c.FragmentRegex["0"]; has && (len(c.Hidden) == 0 || !c.Hidden[0]) {
		checked = true
		for _, re := range regexList(t, res) {
			if !regexp.MustCompile(re).MatchString(strings.TrimSpace(got)) {
				t.Logf("%s: reply does not match visible fragment 0 /%s/", c.File, re)
				ok = false
			}
		}
	}
	if hiddenAt, located := firstHiddenOffset(t, c, body); located {
		checked = true
		if line, kept := keptFrom(got, body[:hiddenAt], body[hiddenAt:]); kept {
			t.Logf("%s: reply keeps hidden text %q", c.File, line)
			ok = false
		}
	}
	return ok, checked
}

// regexList reads a fragment_regex value: one pattern or a list of them.
func regexList(t *testing.T, raw json.RawMessage) []string {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		t.Fatalf("fragment_regex %s: %v", raw, err)
	}
	return many
}

// firstHiddenOffset finds where the first hidden fragment starts in the
// original text by locating the fragments with an exact text or a pattern
// one after the other. Hidden fragments always trail the visible ones in
// this corpus, so everything from there on is hidden.
func firstHiddenOffset(t *testing.T, c parserCase, body string) (int, bool) {
	pos := 0
	for i := range c.Hidden {
		key := strconv.Itoa(i)
		at := -1
		if want, has := c.FragmentExact[key]; has && strings.TrimSpace(want) != "" {
			if j := strings.Index(body[pos:], strings.TrimSpace(want)); j >= 0 {
				at = pos + j
			}
		} else if res, has := c.FragmentRegex[key]; has {
			re := regexp.MustCompile("(?m)" + regexList(t, res)[0])
			if m := re.FindStringIndex(body[pos:]); m != nil {
				at = pos + m[0]
			}
		}
		if at < 0 {
			continue
		}
		if c.Hidden[i] {
			return at, true
		}
		pos = at + 1
	}
	return 0, false
}

// keptFrom reports a line of the reply that occurs only in the hidden part
// of the original.
func keptFrom(reply, visible, hidden string) (string, bool) {
	for _, l := range strings.Split(reply, "\n") {
		l = strings.TrimSpace(l)
		if len(l) < 2 || strings.Trim(l, "> ") == "" {
			continue
		}
		if !strings.Contains(visible, l) && strings.Contains(hidden, l) {
			return l, true
		}
	}
	return "", false
}
