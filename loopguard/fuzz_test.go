package loopguard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClassify: Classify never panics (its recover would turn a panic into a
// "could not be analysed" verdict, which this test treats as a failure), always
// answers a known class with a reason, and only bounces carry a DSN.
func FuzzClassify(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		if raw, err := os.ReadFile(name); err == nil {
			f.Add("", raw)
			f.Add("someone@example.com", raw)
		}
	}
	f.Add("", []byte("From "))
	f.Add("x", []byte("Content-Type: multipart/report; report-type=delivery-status; boundary=a\n\n--a\nContent-Type: message/delivery-status\n\nFinal-Recipient: ;\n--a--"))
	g := testGuard()
	f.Fuzz(func(t *testing.T, envFrom string, raw []byte) {
		v := g.Classify(envFrom, raw)
		switch v.Class {
		case Human, AutoReply, Bounce, List, Own:
		default:
			t.Fatalf("unknown class %q", v.Class)
		}
		if v.Reason == "" || v.Reason == analysisFailed {
			t.Fatalf("reason %q for %q", v.Reason, raw)
		}
		if !utf8.ValidString(v.Reason) || strings.ContainsAny(v.Reason, "\r\n\x00\x1b") {
			t.Fatalf("reason not clean text: %q", v.Reason)
		}
		if v.DSN != nil && v.Class != Bounce {
			t.Fatalf("DSN on %s", v.Class)
		}
		// AutoAnswer never panics, never allows an answer to mail that is
		// not a person's, and its reason is clean text.
		aa := g.AutoAnswer(v, raw)
		if aa.Allowed && v.Class != Human {
			t.Fatalf("auto-answer allowed for %s mail", v.Class)
		}
		if aa.Reason == "" || !utf8.ValidString(aa.Reason) || strings.ContainsAny(aa.Reason, "\r\n\x00\x1b") {
			t.Fatalf("auto-answer reason not clean text: %q", aa.Reason)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	g := testGuard()
	for _, name := range []string{"human.eml", "auto-submitted-auto-replied.eml", "dsn-rfc3464.eml", "qmail.eml", "exchange-plain.eml"} {
		raw := readFixture(b, name, true)
		env := "alice@example.com"
		if name != "human.eml" && name != "auto-submitted-auto-replied.eml" {
			env = ""
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if v := g.Classify(env, raw); v.Reason == "" {
					b.Fatal("no reason")
				}
			}
		})
	}
}
