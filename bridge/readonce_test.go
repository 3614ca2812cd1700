package bridge

import (
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/mailparse"
)

// What the domain takes from mailparse.Read instead of reading the raw
// header again (issue 21) is what it read before: the Received count, and
// for IMAP mail the header net/mail read (Return-Path, From, To, Cc,
// Delivered-To), for every fixture and corpus mail, as stored and with
// CRLF line breaks.
func TestReadOnceHeaderViews(t *testing.T) {
	mails := map[string]string{
		"received":  "Received: from a\r\nReceived :from b\r\nreceived: from c\r\n X-Not: received:\r\nFrom: a@x.test\r\n\r\nbody\r\n",
		"mbox":      "From a@b Mon Jan  1 00:00:00 2024\r\nReceived: x\r\nFrom: a@x.test\r\n\r\nbody\r\n",
		"no colon":  "Received: a\r\nbroken\r\nReceived: b\r\nFrom: a@x.test\r\n\r\nbody\r\n",
		"odd name":  "Return-Path: <r@x.test>\r\nX(odd): 1\r\nFrom: a@x.test\r\nTo: help@support.test\r\n\r\nbody\r\n",
		"ctl value": "Return-Path: <r@x.test>\r\nX-Ctl: a\x01b\r\nFrom: a@x.test\r\n\r\nbody\r\n",
		"folded":    "Return-Path:\r\n <r@x.test>\r\nTo: a@support.test,\r\n  b@support.test\r\nCc:  c@x.test  \r\nFrom: a@x.test\r\n\r\nbody\r\n",
		"8bit":      "From: J\xc3\xb6rg <j@x.test>\r\nTo: help@support.test\r\n\r\nbody\r\n",
		"lf":        "Return-Path: <r@x.test>\nFrom: a@x.test\nTo: help@support.test\n\nbody\n",
		"no body":   "From: a@x.test\r\nTo: help@support.test\r\n",
	}
	dirs := []string{"../loopguard/testdata", "../mailparse/testdata"}
	if c := os.Getenv("DESKGATE_CORPORA"); c != "" {
		dirs = append(dirs, c)
	}
	for _, d := range dirs {
		_ = filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && info.Size() < 4<<20 {
				if raw, err := os.ReadFile(p); err == nil {
					mails[p] = string(raw)
					mails[p+" (CRLF)"] = strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n", "\r\n")
				}
			}
			return nil
		})
	}
	for name, s := range mails {
		raw := []byte(s)
		m := mailparse.Read(raw)
		if got, want := hops(m), countReceived(raw); got != want {
			t.Errorf("%s: %d hops, want %d", name, got, want)
		}
		h, ok := netmailHeader(m)
		msg, err := mail.ReadMessage(strings.NewReader(string(headerOf(raw))))
		if ok != (err == nil) {
			t.Errorf("%s: read %v, net/mail %v", name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		for _, k := range []string{"Return-Path", "From", "To", "Cc", "Delivered-To"} {
			if got, want := h.Get(k), msg.Header.Get(k); got != want {
				t.Errorf("%s: %s %q, net/mail %q", name, k, got, want)
			}
		}
	}
}
