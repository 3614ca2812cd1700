package loopguard

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/testenv"
)

// Floors the corpus tests enforce: the rates reached when they were written, so a
// change that makes the guard worse fails. Rates are printed by every run.
const (
	floorRecall         = 0.998 // maildir/bsd classified not-human (628/629: a forwarded bounce is human, see readme)
	floorStatusExact    = 0.735 // first-recipient status equal to expected.tsv
	floorStatusRFC      = 0.95  // same, only rows whose label is an RFC 3463 code (no x.0.9xx)
	floorClassAgreement = 0.99  // bounce/autoreply/feedback class equal to expected.tsv
	floorEnmimeDSN      = 1.0   // enmime dsn_expected.tsv fields
)

// corpusGuard is a guard whose identity appears in no corpus (the corpora use the
// example.* domains themselves).
func corpusGuard() *Guard {
	return New(Config{Hostname: "desk.deskgate.invalid", Domains: []string{"deskgate.invalid"}})
}

// corpora returns the corpus root from DESKGATE_CORPORA or skips the test.
func corpora(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DESKGATE_CORPORA")
	if dir == "" {
		testenv.Unavailable(t, "DESKGATE_CORPORA is not set: skipping corpus test (set it to the corpora folder, e.g. /work/shared/corpora)")
	}
	return dir
}

// readTSV reads a tab-separated file with a header line into maps by column name.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cols []string
	var rows []map[string]string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if cols == nil {
			cols = fields
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(fields) {
				row[c] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// classifyFile classifies one corpus file. The corpus has no envelope, so the
// Return-Path header (the envelope sender as delivered) stands in for MAIL FROM.
func classifyFile(t *testing.T, g *Guard, path string) Verdict {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return g.Classify(envelopeStandIn(raw), raw)
}

// envelopeStandIn is the envelope sender of a corpus file as its final delivery
// recorded it (Return-Path, RFC 5321 §4.4, "<>" being the null reverse path), else the
// mbox "From " line's sender, else the From address, else "unknown@invalid".
func envelopeStandIn(raw []byte) string {
	h, _ := splitMessage(raw)
	if rp, ok := h.lookup("return-path"); ok {
		return cleanAddress(rp)
	}
	if rest, ok := strings.CutPrefix(string(raw), "From "); ok {
		if f := strings.Fields(rest); len(f) > 0 {
			if strings.EqualFold(f[0], "MAILER-DAEMON") {
				return ""
			}
			return strings.ToLower(f[0])
		}
	}
	if a := cleanAddress(h.get("from")); strings.Contains(a, "@") {
		return a
	}
	return "unknown@invalid"
}

func TestCorpusSisimaiRecall(t *testing.T) {
	root := filepath.Join(corpora(t), "sisimai_set_of_emails")
	g := corpusGuard()
	files, err := filepath.Glob(filepath.Join(root, "maildir", "bsd", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in maildir/bsd: %v", err)
	}
	sort.Strings(files)
	var missed []string
	byClass := map[Class]int{}
	bounces, withAddr, withID := 0, 0, 0
	for _, f := range files {
		v := classifyFile(t, g, f)
		byClass[v.Class]++
		if v.Class == Bounce {
			bounces++
			if v.DSN != nil && len(v.DSN.Recipients) > 0 && v.DSN.Recipients[0].Address != "" {
				withAddr++
			}
			if v.DSN != nil && v.DSN.OriginalMessageID != "" {
				withID++
			}
		}
		if v.Class == Human {
			missed = append(missed, filepath.Base(f))
		}
	}
	recall := float64(len(files)-len(missed)) / float64(len(files))
	t.Logf("sisimai maildir/bsd: %d files, recall (not human) %.4f; classes %v", len(files), recall, byClass)
	t.Logf("bounces naming a recipient address: %d/%d; naming the returned Message-ID: %d/%d", withAddr, bounces, withID, bounces)
	for _, m := range missed {
		t.Logf("  classified human: %s", m)
	}
	if recall < floorRecall {
		t.Errorf("recall %.4f below floor %.4f", recall, floorRecall)
	}
}

func TestCorpusSisimaiNotBounce(t *testing.T) {
	root := filepath.Join(corpora(t), "sisimai_set_of_emails")
	g := corpusGuard()
	files, _ := filepath.Glob(filepath.Join(root, "maildir", "not", "*"))
	if len(files) == 0 {
		t.Fatal("no files in maildir/not")
	}
	for _, f := range files {
		v := classifyFile(t, g, f)
		t.Logf("maildir/not/%s: %s (%s)", filepath.Base(f), v.Class, v.Reason)
		if v.Class == Bounce {
			t.Errorf("%s classified bounce: %s", filepath.Base(f), v.Reason)
		}
	}
}

func TestCorpusSisimaiStatus(t *testing.T) {
	root := filepath.Join(corpora(t), "sisimai_set_of_emails")
	g := corpusGuard()
	rows := readTSV(t, filepath.Join(root, "expected.tsv"))
	var total, exact, rfcTotal, rfcExact, classTotal, classOK, classDigit int
	var wrong []string
	for _, r := range rows {
		if r["recipient_index"] != "1" || !strings.HasPrefix(r["file"], "maildir/bsd/") {
			continue
		}
		v := classifyFile(t, g, filepath.Join(root, r["file"]))
		classTotal++
		if classAgrees(r["class"], v.Class) {
			classOK++
		} else {
			wrong = append(wrong, r["file"]+": class "+string(v.Class)+" want "+r["class"]+" ("+v.Reason+")")
		}
		want := r["status"]
		if want == "" {
			continue
		}
		got := firstStatus(v)
		total++
		rfc := !sisimaiInternal(want)
		if rfc {
			rfcTotal++
		}
		if got != "" && got[0] == want[0] {
			classDigit++
		}
		if got == want {
			exact++
			if rfc {
				rfcExact++
			}
		} else if rfc {
			wrong = append(wrong, r["file"]+": status "+strconv.Quote(got)+" want "+want)
		}
	}
	rate := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	t.Logf("sisimai first-recipient status: exact %d/%d = %.4f; RFC-coded labels %d/%d = %.4f; class digit %d/%d = %.4f",
		exact, total, rate(exact, total), rfcExact, rfcTotal, rate(rfcExact, rfcTotal), classDigit, total, rate(classDigit, total))
	t.Logf("sisimai class agreement (bounce_or_dsn/feedback_report→bounce, autoreply→autoreply): %d/%d = %.4f",
		classOK, classTotal, rate(classOK, classTotal))
	if testing.Verbose() {
		for _, w := range wrong {
			t.Log("  " + w)
		}
	}
	if rate(exact, total) < floorStatusExact {
		t.Errorf("status accuracy %.4f below floor %.4f", rate(exact, total), floorStatusExact)
	}
	if rate(rfcExact, rfcTotal) < floorStatusRFC {
		t.Errorf("status accuracy on RFC-coded labels %.4f below floor %.4f", rate(rfcExact, rfcTotal), floorStatusRFC)
	}
	if rate(classOK, classTotal) < floorClassAgreement {
		t.Errorf("class agreement %.4f below floor %.4f", rate(classOK, classTotal), floorClassAgreement)
	}
}

// classAgrees maps expected.tsv's class column onto ours. Feedback reports are
// bounces in deskgate (see report.go).
func classAgrees(label string, c Class) bool {
	switch label {
	case "bounce_or_dsn", "feedback_report":
		return c == Bounce
	case "autoreply":
		return c == AutoReply
	}
	return c != Human
}

// sisimaiInternal reports whether a label is one of sisimai's own x.0.9xx codes,
// which no MTA writes and RFC 3463 does not define.
func sisimaiInternal(s string) bool {
	p := strings.Split(s, ".")
	return len(p) == 3 && p[1] == "0" && len(p[2]) == 3 && p[2][0] == '9'
}

// firstStatus is the status of the verdict's first DSN recipient, or "".
func firstStatus(v Verdict) string {
	if v.DSN == nil || len(v.DSN.Recipients) == 0 {
		return ""
	}
	return v.DSN.Recipients[0].Status
}

func TestCorpusEnmimeDSN(t *testing.T) {
	root := filepath.Join(corpora(t), "enmime")
	g := corpusGuard()
	rows := readTSV(t, filepath.Join(root, "dsn_expected.tsv"))
	var total, ok int
	for _, r := range rows {
		v := classifyFile(t, g, filepath.Join(root, r["fixture"]))
		total++
		if v.Class != Bounce || v.DSN == nil {
			t.Errorf("%s: %s (%s), want bounce with DSN", r["fixture"], v.Class, v.Reason)
			continue
		}
		want := DSNRecipient{
			Address:    cleanAddress(typedValue(r["final_recipient"])),
			Action:     r["action"],
			Status:     findStatus(r["status"]),
			Diagnostic: typedValue(r["diagnostic_code"]),
		}
		var got *DSNRecipient
		for i := range v.DSN.Recipients {
			if v.DSN.Recipients[i].Address == want.Address {
				got = &v.DSN.Recipients[i]
			}
		}
		if got == nil {
			t.Errorf("%s: recipient %s not found in %+v", r["fixture"], want.Address, v.DSN.Recipients)
			continue
		}
		if *got != want {
			t.Errorf("%s: got %+v, want %+v", r["fixture"], *got, want)
			continue
		}
		ok++
	}
	rate := float64(ok) / float64(total)
	t.Logf("enmime dsn_expected.tsv: %d/%d recipients exact (address, action, status, diagnostic) = %.4f", ok, total, rate)
	if rate < floorEnmimeDSN {
		t.Errorf("enmime DSN rate %.4f below floor %.4f", rate, floorEnmimeDSN)
	}
}

// People's mail from the other corpora (enmime's MIME samples, email_reply_parser's
// replies) must stay human: the guard's false-positive rate. Each file classified
// otherwise is printed; the only one at the time of writing is a real DSN
// (From: Mailer-Daemon, multipart/report without a boundary).
func TestCorpusHumanMail(t *testing.T) {
	root := corpora(t)
	g := corpusGuard()
	var files []string
	for _, pattern := range []string{"enmime/testdata/*/*", "email_reply_parser/test/emails/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no files")
	}
	notHuman := 0
	for _, f := range files {
		v := classifyFile(t, g, f)
		if v.Class != Human {
			notHuman++
			rel, _ := filepath.Rel(root, f)
			t.Logf("  %s: %s (%s)", rel, v.Class, v.Reason)
		}
	}
	rate := float64(notHuman) / float64(len(files))
	t.Logf("people's mail (enmime, email_reply_parser): %d/%d not human = %.4f", notHuman, len(files), rate)
	if notHuman > 1 {
		t.Errorf("%d files not human, at most 1 (the DSN) expected", notHuman)
	}
}
