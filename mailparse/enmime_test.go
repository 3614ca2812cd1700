package mailparse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// enmimeFloor is the share of mapped enmime assertions Parse meets.
const enmimeFloor = 81.0 / 85

// enmimeWarnings maps enmime's warning names onto words our Errors use.
// Warnings we do not consider problems (text derived from HTML, a
// Content-Type left to its RFC 2045 §5.2 default) are not mapped.
var enmimeWarnings = map[string]string{
	"ErrorMissingBoundary":    "boundary",
	"ErrorMalformedHeader":    "malformed header",
	"ErrorContentEncoding":    "content-transfer-encoding",
	"ErrorCharsetConversion":  "charset",
	"ErrorMalformedBase64":    "base64",
	"ErrorCharsetDeclaration": "charset",
}

// TestCorpusEnmime parses every enmime fixture (none may panic or fail
// without a clear error) and checks the expected text, HTML, attachment
// and warning assertions that map onto our fields: enmime's Attachments
// are our non-inline attachments, its Inlines and OtherParts (parts of a
// multipart/related referenced by Content-ID) our inline ones.
func TestCorpusEnmime(t *testing.T) {
	dir := corpusDir(t, "enmime")
	parsed := parseAllFixtures(t, dir)
	rows := readTSV(t, filepath.Join(dir, "expected.tsv"))
	pass, mapped := 0, 0
	for _, r := range rows {
		fixture, field, op, want := r[0], r[2], r[3], r[4]
		m, ok := parsed[fixture]
		if !ok {
			t.Errorf("%s: fixture not parsed", fixture)
			continue
		}
		res, known := checkEnmime(t, m, rowsFor(rows, fixture), field, op, want)
		if !known {
			t.Logf("not mapped: %s %s %s %s", fixture, field, op, want)
			continue
		}
		mapped++
		if res {
			pass++
		} else {
			t.Logf("FAIL %s: %s %s %s", fixture, field, op, want)
		}
	}
	rate := float64(pass) / float64(mapped)
	t.Logf("enmime: %d/%d fixtures parsed; %d/%d mapped assertions pass (%.1f%%), %d not mapped",
		len(parsed), len(parsed), pass, mapped, 100*rate, len(rows)-mapped)
	if rate < enmimeFloor {
		t.Errorf("enmime pass rate %.3f below floor %.3f", rate, enmimeFloor)
	}
}

// parseAllFixtures parses every .raw file of the corpus; a panic, or an
// error without a message, fails the test.
func parseAllFixtures(t *testing.T, dir string) map[string]*Message {
	out := map[string]*Message{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".raw") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		m, perr := Parse(raw)
		if m == nil {
			t.Errorf("%s: nil message", rel)
			return nil
		}
		if perr != nil && perr.Error() == "" {
			t.Errorf("%s: error without message", rel)
		}
		for _, e := range m.Errors {
			if strings.HasPrefix(e, "internal error") {
				t.Errorf("%s: parser panicked: %s", rel, e)
			}
		}
		out[filepath.ToSlash(rel)] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rowsFor(rows [][]string, fixture string) [][]string {
	var out [][]string
	for _, r := range rows {
		if r[0] == fixture {
			out = append(out, r)
		}
	}
	return out
}

// checkEnmime evaluates one assertion; known is false when it does not map
// onto our fields.
func checkEnmime(t *testing.T, m *Message, fixtureRows [][]string, field, op, wantJSON string) (ok, known bool) {
	var want any
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatalf("bad expected value %s: %v", wantJSON, err)
	}
	str, _ := want.(string)
	num, _ := want.(float64)
	attach, inline := split(m.Attachments)
	switch field + " " + op {
	case "Text equals":
		return m.Text == str, true
	case "Text equals_trimmed":
		return strings.TrimSpace(m.Text) == strings.TrimSpace(str), true
	case "Text contains":
		return strings.Contains(m.Text, str), true
	case "HTML equals":
		return m.HTML == str, true
	case "HTML contains":
		return strings.Contains(m.HTML, str), true
	case "Attachments count":
		return len(attach) == int(num), true
	case "Attachments[0].FileName equals":
		return len(attach) > 0 && attach[0].Filename == str, true
	case "Inlines count", "OtherParts count":
		// Our Inline covers both: compare with their sum when both are asserted.
		return len(inline) == int(sumCounts(fixtureRows, "Inlines")+sumCounts(fixtureRows, "OtherParts")), true
	case "Inlines[0].FileName equals", "OtherParts[0].FileName equals":
		return len(inline) > 0 && inline[0].Filename == str, true
	case "Errors count":
		return len(m.Errors) == int(num), true
	case "Errors contains_non_severe_warning":
		word, mapped := enmimeWarnings[str]
		if !mapped {
			return false, false
		}
		for _, e := range m.Errors {
			if strings.Contains(strings.ToLower(e), word) {
				return true, true
			}
		}
		return false, true
	case "parse must_not_fail":
		return true, true // parseAllFixtures already failed on a panic
	}
	return false, false
}

func split(as []Attachment) (attach, inline []Attachment) {
	for _, a := range as {
		if a.Inline {
			inline = append(inline, a)
		} else {
			attach = append(attach, a)
		}
	}
	return attach, inline
}

func sumCounts(rows [][]string, field string) float64 {
	for _, r := range rows {
		if r[2] == field && r[3] == "count" {
			var n float64
			if json.Unmarshal([]byte(r[4]), &n) == nil {
				return n
			}
		}
	}
	return 0
}

// TestCorpusSisimaiParses parses every message of the sisimai corpus
// (bounces and auto-replies from ~70 MTAs, many malformed): none may panic,
// and each must yield its header.
func TestCorpusSisimaiParses(t *testing.T) {
	dir := corpusDir(t, "sisimai_set_of_emails")
	n, failed := 0, 0
	err := filepath.WalkDir(filepath.Join(dir, "maildir"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".eml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		m, perr := Parse(raw)
		for _, e := range m.Errors {
			if strings.HasPrefix(e, "internal error") {
				t.Errorf("%s: parser panicked: %s", path, e)
			}
		}
		if perr != nil || m.Header.Len() == 0 {
			failed++
			t.Logf("%s: no header: %v", path, perr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sisimai: %d messages parsed, %d without a readable header", n, failed)
	if failed > 0 {
		t.Errorf("%d sisimai messages without a readable header", failed)
	}
}

// TestCorpusEnmimeDSN checks that a delivery status notification (RFC 3464)
// keeps its machine-readable part: a message/delivery-status attachment
// naming the expected final recipient and status, for the loop guard.
func TestCorpusEnmimeDSN(t *testing.T) {
	dir := corpusDir(t, "enmime")
	rows := readTSV(t, filepath.Join(dir, "dsn_expected.tsv"))
	for _, r := range rows {
		fixture, recipient, status := r[0], r[2], r[4]
		raw, err := os.ReadFile(filepath.Join(dir, fixture))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", fixture, err)
			continue
		}
		found := false
		for _, a := range m.Attachments {
			if a.ContentType == "message/delivery-status" {
				d := string(a.Data)
				found = strings.Contains(d, recipient) && strings.Contains(d, status)
			}
		}
		if !found {
			t.Errorf("%s: no message/delivery-status part naming %s %s (attachments %d)", fixture, recipient, status, len(m.Attachments))
		}
	}
	t.Logf("enmime DSN: %d recipients checked", len(rows))
}
