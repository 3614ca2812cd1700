package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// typicalReply builds a ~2 KB multipart/alternative reply with quoted
// history, the shape of most inbound customer mail.
func typicalReply() []byte {
	var b bytes.Buffer
	b.WriteString("From: Jane Customer <jane@example.com>\r\nTo: support@deskgate.test\r\nSubject: Re: [#42] Printer offline\r\n")
	b.WriteString("Date: Tue, 1 Dec 2026 10:00:00 +0100\r\nMessage-ID: <CAB123@mail.example.com>\r\nIn-Reply-To: <dg.abc@deskgate.test>\r\n")
	b.WriteString("References: <dg.root@deskgate.test> <dg.abc@deskgate.test>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n")
	b.WriteString("Hi, the printer still shows offline after the restart.\r\nAny other idea?\r\n\r\nJane\r\n\r\n")
	b.WriteString("On Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\r\n")
	for i := 0; i < 8; i++ {
		b.WriteString("> Please restart the printer and check the network cable, then tell us.\r\n")
	}
	b.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<div dir=\"ltr\">Hi, the printer still shows offline after the restart.<br>Any other idea?<br><br>Jane</div>")
	b.WriteString("<div class=\"gmail_quote\">On Mon, Nov 30, 2026 at 10:00 AM Support wrote:<br><blockquote class=\"gmail_quote\">")
	for i := 0; i < 6; i++ {
		b.WriteString("Please restart the printer and check the network cable.<br>")
	}
	b.WriteString("</blockquote></div>\r\n--alt--\r\n")
	return b.Bytes()
}

// withAttachment builds a ~200 KB message: a short text and a base64 PDF.
func withAttachment() []byte {
	var b bytes.Buffer
	b.WriteString("From: Jane <jane@example.com>\r\nTo: support@deskgate.test\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nInvoice attached.\r\n")
	b.WriteString("--mix\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("%PDF-1.4 some binary-ish content 0123456789\n"), 3400))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--mix--\r\n")
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name string
		raw  []byte
	}{{"2KB-reply", typicalReply()}, {"200KB-attachment", withAttachment()}} {
		b.Run(fmt.Sprintf("%s-%dB", c.name, len(c.raw)), func(b *testing.B) {
			b.SetBytes(int64(len(c.raw)))
			b.ReportAllocs()
			for b.Loop() {
				m, err := Parse(c.raw)
				if err != nil || len(m.Errors) != 0 {
					b.Fatalf("Parse: %v %q", err, m.Errors)
				}
			}
		})
	}
}

func BenchmarkExtractReply(b *testing.B) {
	m, _ := Parse(typicalReply())
	text := m.Text + strings.Repeat("> quoted history line\n", 200)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		ExtractReply(text)
	}
}

func TestBenchmarkMessagesParse(t *testing.T) {
	m, err := Parse(typicalReply())
	if err != nil || m.ReplyText != "Hi, the printer still shows offline after the restart.\nAny other idea?\n\nJane" {
		t.Errorf("typical reply: %v %q", err, m.ReplyText)
	}
	m, err = Parse(withAttachment())
	if err != nil || len(m.Attachments) != 1 || m.Attachments[0].Filename != "invoice.pdf" || len(m.Attachments[0].Data) != 3400*44 {
		t.Errorf("attachment: %v %+v", err, len(m.Attachments))
	}
}
