package loopguard

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/emersion/go-message"
)

// oddMails are headers and MIME trees that break the rules in ways the
// readers treat differently (issue 21).
var oddMails = []string{
	"From a@b Mon Jan  1 00:00:00 2024\nFrom: A <a@x.test>\nTo: s@y.test\nSubject: mbox\n\nbody\n",
	"From: a@x.test\r\nSubject: broken\r\nthis line has no colon\r\nX-Auto-Response-Suppress: All\r\nTo: b@y.test\r\n\r\nbody\r\n",
	"From: a@x.test\r\n: empty name\r\n cont\r\nAuto-Submitted: auto-replied\r\nTo: b@y.test\r\n\r\nbody\r\n",
	" leading: space\r\nFrom: a@x.test\r\nTo: b@y.test\r\n\r\nbody\r\n",
	"From: a@x.test\r\nTo: b@y.test\r\nSubject: x\r\n",
	"From: a@x.test\r\nTo: b@y.test\r\nSubject: x",
	"From: a@x.test\nTo: b@y.test\r\nSubject: mixed\n\r\nbody\n\nmore\r\n",
	"From: a@x.test\r\nTo: b@y.test\r\nSubject: cr\r\r\n\r\nbody\r\n",
	"\r\nbody only\r\n",
	"Subject:\r\n folded\r\n \r\n\tmore\r\nX-A:  v \r\nX-B: a\rb\r\r\nTO : c@d.test\r\n\r\nbody\r\n",
	"",
	"From: MAILER-DAEMON@x.test\r\nSubject: failure\r\nContent-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain\r\nbad header line\r\n\r\nfirst 550 5.1.1\r\n--BB\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--BB--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nbody\r\n--x--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/digest; boundary=D\r\n\r\n--D\r\n\r\nFrom: c@z.test\r\nSubject: inner\r\n\r\ninner body\r\n--D--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/alternative; boundary=\"q\"\r\n\r\n--q\nContent-Type: text/plain\n\nplain\n--q\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>caf=E9</p>\r\n--q--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/mixed; boundary*0=\"ab\"; boundary*1=\"cd\"\r\n\r\n--abcd\r\nContent-Type: text/plain\r\n\r\ncont\r\n--abcd--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=x y\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsp\r\n--x--\r\n",
	"From: a@x.test\r\nContent-Type: Multipart/Report; boundary=R; report-type=delivery-status\r\n\r\n--R\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nunknown charset\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; u@y.test\r\nAction: failed\r\nStatus: 5.1.1\r\n--R--\r\n",
	"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=N\r\n\r\n--N\r\nContent-Type: multipart/report; boundary=M\r\n\r\n--M\r\nContent-Transfer-Encoding: x-weird\r\n\r\nweird\r\n--M--\r\n--N--\r\n",
	"Subject: " + strings.Repeat("long ", 60000) + "\r\n\r\nbody\r\n",
}

// sampleMails are oddMails, the fixtures of loopguard and mailparse and,
// when DESKGATE_CORPORA is set, the corpora: each as stored and with CRLF
// line breaks (as SMTP carries it).
func sampleMails(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for i, m := range oddMails {
		out["odd "+string(rune('a'+i))] = []byte(m)
	}
	dirs := []string{"testdata", "../mailparse/testdata"}
	if c := os.Getenv("DESKGATE_CORPORA"); c != "" {
		dirs = append(dirs, c)
	}
	for _, d := range dirs {
		_ = filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || info.Size() > 4<<20 {
				return nil
			}
			raw, err := os.ReadFile(p)
			if err == nil {
				out[p] = raw
			}
			return nil
		})
	}
	if len(out) < len(oddMails)+20 {
		t.Fatalf("only %d sample mails", len(out))
	}
	all := map[string][]byte{}
	for name, raw := range out {
		lf := strings.ReplaceAll(string(raw), "\r\n", "\n")
		all[name] = raw
		all[name+" (CRLF)"] = []byte(strings.ReplaceAll(lf, "\n", "\r\n"))
	}
	return all
}

// The guard's reading of a mail from mailparse.Read is the one it made of
// the raw bytes before (issue 21): the same header fields and body, the
// same MIME walk (report parts, DSN, returned message, text).
func TestSharedReadingIsTheGuards(t *testing.T) {
	shared := 0
	for name, raw := range sampleMails(t) {
		m := mailparse.Read(raw)
		before := parsecount.Now()
		h, body := headerOf(m)
		if parsecount.Now().Sub(before).Header == 0 {
			shared++
		}
		own := stripMbox(raw)
		wantH, wantBody := splitMessage(own)
		if len(h) == 0 && len(wantH) == 0 {
			h, wantH = nil, nil
		}
		if !reflect.DeepEqual(h, wantH) || !bytes.Equal(body, wantBody) {
			t.Errorf("%s: header\n%q body %.80q\nwant\n%q body %.80q", name, h, body, wantH, wantBody)
			continue
		}
		got, want := readStructure(m, body), goMessageStructure(own, wantBody)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: structure\n%+v\nwant\n%+v", name, got, want)
		}
	}
	if shared == 0 {
		t.Fatal("no mail's header was taken from mailparse.Read")
	}
}

// stripMbox is the guard's former mbox line rule.
func stripMbox(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

// goMessageStructure is the guard's former MIME walk: go-message reads
// the whole mail.
func goMessageStructure(raw, body []byte) *structure {
	s := &structure{}
	e, _ := message.Read(bytes.NewReader(raw))
	if e == nil {
		s.text = clip(string(body))
		return s
	}
	w := walker{s: s}
	w.walk(e, 0)
	if s.text == "" {
		s.text = clip(string(body))
	}
	return s
}

// Around go-message's 1 MB header limit (over it, message.Read failed and
// the guard took the body as text) the shared walk finds what go-message
// found.
func TestSharedReadingBigHeaders(t *testing.T) {
	pre := "Content-Type: multipart/mixed; boundary=B\r\nX-Pad: "
	post := "\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nfailed 550 5.1.1\r\n--B--\r\n"
	for _, n := range []int{1<<20 - 4097, 1<<20 - 4096, 1<<20 - 1, 1 << 20, 1<<20 + 1, 1<<20 + 4096} {
		raw := []byte(pre + strings.Repeat("a", n-len(pre)-4) + post)
		m := mailparse.Read(raw)
		if m.BodyStart != n {
			t.Fatalf("header of %d bytes, want %d", m.BodyStart, n)
		}
		_, body := headerOf(m)
		got, want := readStructure(m, body), goMessageStructure(raw, body)
		if got.text != want.text {
			t.Errorf("header of %d bytes: text %.40q, want %.40q", n, got.text, want.text)
		}
	}
}
