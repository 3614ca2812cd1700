package smtpd_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store"
	"golang.org/x/text/encoding/japanese"
)

// post mails support@ and returns the message it became.
func (h *harness) post(raw string) store.Message {
	h.t.Helper()
	wantReply(h.t, "mail", h.send("carol@example.com", []string{"support@support.test"}, raw), "")
	e := h.last()
	if e.MessageIDInt == 0 {
		h.t.Fatalf("not posted: %+v", e)
	}
	ms := h.messages(e.ConversationID)
	return ms[len(ms)-1]
}

// Charsets are decoded to UTF-8: ISO-8859-1, Windows-1252, ISO-2022-JP,
// RFC 2047 encoded subjects.
func TestCharsets(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	m := h.post("From: =?ISO-8859-1?Q?Andr=E9?= <carol@example.com>\nTo: support@support.test\n" +
		"Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=\nMessage-ID: <c1@example.com>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n" +
		"Le caf=E9 est froid.\n")
	if m.Body != "Le café est froid." {
		t.Fatalf("ISO-8859-1 body %q", m.Body)
	}
	if c := h.conversation(m.ConversationID); c.Subject != "Café crème" {
		t.Fatalf("RFC 2047 subject %q", c.Subject)
	}
	m = h.post("From: carol@example.com\nTo: support@support.test\nSubject: price\nMessage-ID: <c2@example.com>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n" +
		"It costs 5 \x80 \x93quoted\x94.\n")
	if m.Body != "It costs 5 € “quoted”." {
		t.Fatalf("Windows-1252 body %q", m.Body)
	}
	jp, err := japanese.ISO2022JP.NewEncoder().String("こんにちは、世界")
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := japanese.ISO2022JP.NewEncoder().String("件名")
	m = h.post("From: carol@example.com\nTo: support@support.test\nSubject: =?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(subj)) + "?=\n" +
		"Message-ID: <c3@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n" + jp + "\n")
	if m.Body != "こんにちは、世界" {
		t.Fatalf("ISO-2022-JP body %q", m.Body)
	}
	if c := h.conversation(m.ConversationID); c.Subject != "件名" {
		t.Fatalf("ISO-2022-JP subject %q", c.Subject)
	}
	// UTF-8 headers over SMTPUTF8.
	m = h.post("From: Zoë <carol@example.com>\nTo: support@support.test\nSubject: Grüße\nMessage-ID: <c4@example.com>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nSchöne Grüße\n")
	if m.Body != "Schöne Grüße" || h.conversation(m.ConversationID).Subject != "Grüße" {
		t.Fatalf("UTF-8 mail: %q", m.Body)
	}
}

// HTML is sanitized: no script, no event handlers; its text is the body.
func TestHTMLIsSanitized(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	m := h.post("From: carol@example.com\nTo: support@support.test\nSubject: html\nMessage-ID: <h1@example.com>\nMIME-Version: 1.0\n" +
		"Content-Type: text/html; charset=utf-8\n\n" +
		`<html><body><p onclick="steal()">Hello <b>there</b></p><script>alert(document.cookie)</script><a href="javascript:evil()">x</a><img src=x onerror=alert(1)></body></html>` + "\n")
	low := strings.ToLower(m.HTML)
	for _, bad := range []string{"<script", "onclick", "onerror", "javascript:", "alert("} {
		if strings.Contains(low, bad) {
			t.Fatalf("sanitized HTML still has %q: %s", bad, m.HTML)
		}
	}
	if !strings.Contains(m.HTML, "<b>there</b>") || !strings.Contains(m.Body, "Hello") || !strings.Contains(m.Body, "there") {
		t.Fatalf("html %q body %q", m.HTML, m.Body)
	}
}

// Attachments and inline images are stored with their bytes.
func TestAttachmentsAreStored(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	pdf := bytes.Repeat([]byte("%PDF-1.4 binary \x00\x01\x02"), 200)
	png := []byte("\x89PNG\r\n\x1a\nfake image")
	b64 := func(b []byte) string {
		s := base64.StdEncoding.EncodeToString(b)
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76] + "\n")
			s = s[76:]
		}
		return out.String() + s
	}
	m := h.post("From: carol@example.com\nTo: support@support.test\nSubject: files\nMessage-ID: <a1@example.com>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nSee attached.\n" +
		"--XX\nContent-Type: application/pdf; name=\"invoice.pdf\"\nContent-Disposition: attachment; filename=\"invoice.pdf\"\nContent-Transfer-Encoding: base64\n\n" + b64(pdf) + "\n" +
		"--XX\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Disposition: inline; filename=logo.png\nContent-Transfer-Encoding: base64\n\n" + b64(png) + "\n--XX--\n")
	if m.Body != "See attached." || len(m.Attachments) != 2 {
		t.Fatalf("body %q attachments %+v", m.Body, m.Attachments)
	}
	a, img := m.Attachments[0], m.Attachments[1]
	if a.Filename != "invoice.pdf" || a.ContentType != "application/pdf" || a.Size != len(pdf) ||
		img.Filename != "logo.png" || !img.Inline || img.ContentID != "logo@x" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	_ = h.st.View(context.Background(), func(tx store.Tx) error {
		data, err := tx.AttachmentData(a.ID)
		if err != nil || !bytes.Equal(data, pdf) {
			t.Fatalf("pdf bytes differ: %v", err)
		}
		return nil
	})
}
