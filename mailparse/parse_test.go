package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func TestParseLatin1QuotedPrintable(t *testing.T) {
	m := mustParse(t, "latin1.eml")
	if m.Subject != "Réponse à votre question" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.From != (Address{Name: "André Müller", Email: "andre@example.com"}) {
		t.Errorf("From = %+v", m.From)
	}
	if len(m.To) != 2 || m.To[1] != (Address{Name: "Doe, Jane", Email: "jane@example.org"}) {
		t.Errorf("To = %+v", m.To)
	}
	want := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if !m.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m.Date, want)
	}
	if m.MessageID != "abc.123@example.com" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if strings.Join(m.InReplyTo, ",") != "dg.root@deskgate.test" {
		t.Errorf("InReplyTo = %q", m.InReplyTo)
	}
	if strings.Join(m.References, ",") != "dg.root@deskgate.test,dg.second@deskgate.test" {
		t.Errorf("References = %q", m.References)
	}
	if !strings.Contains(m.Text, "ça marche très bien") || !strings.Contains(m.Text, "> essayez ceci.") {
		t.Errorf("Text = %q", m.Text)
	}
	if m.ReplyText != "Merci beaucoup, ça marche très bien." {
		t.Errorf("ReplyText = %q", m.ReplyText)
	}
	if m.HTML != "" || len(m.Attachments) != 0 || len(m.Errors) != 0 {
		t.Errorf("HTML %q, attachments %d, errors %q", m.HTML, len(m.Attachments), m.Errors)
	}
}

func TestParseWindows1252(t *testing.T) {
	m := mustParse(t, "cp1252.eml")
	if m.Subject != "\u201cquoted\u201d \u20ac sign" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "It costs 5 € – “quoted”.\n" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseISO2022JP(t *testing.T) {
	m := mustParse(t, "iso2022jp.eml")
	if m.Subject != "件名テスト" || m.From.Name != "山田" {
		t.Errorf("Subject = %q, From = %+v", m.Subject, m.From)
	}
	if m.Text != "こんにちは、返信です。\n" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseAttachmentsAndInlineImage(t *testing.T) {
	m := mustParse(t, "attachments.eml")
	if m.Text != "See the picture and the report." {
		t.Errorf("Text = %q", m.Text)
	}
	if !strings.Contains(m.HTML, `src="cid:pic1@carol"`) {
		t.Errorf("HTML lost the cid: image: %q", m.HTML)
	}
	if len(m.Attachments) != 3 {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	img, pdf, eml := m.Attachments[0], m.Attachments[1], m.Attachments[2]
	if img.Filename != "pic.png" || img.ContentType != "image/png" || img.ContentID != "pic1@carol" || !img.Inline ||
		string(img.Data) != "\x89PNG\r\n\x1a\n" {
		t.Errorf("inline image = %+v", img)
	}
	if pdf.Filename != "résumé final.pdf" || pdf.ContentType != "application/pdf" || pdf.Inline || string(pdf.Data) != "%PDF-1.4\n" {
		t.Errorf("pdf = %+v", pdf)
	}
	if eml.ContentType != "message/rfc822" || !strings.Contains(string(eml.Data), "inner body") {
		t.Errorf("rfc822 = %+v", eml)
	}
	if len(m.Errors) != 0 {
		t.Errorf("Errors = %q", m.Errors)
	}
}

func TestParseMissingFinalBoundary(t *testing.T) {
	m := mustParse(t, "missing_boundary.eml")
	if !strings.Contains(m.Text, "The text before the cut.") {
		t.Errorf("Text = %q", m.Text)
	}
	if len(m.Errors) == 0 {
		t.Error("no error recorded for the missing boundary")
	}
}

func TestParseUnknownEncodingKeepsRaw(t *testing.T) {
	m := mustParse(t, "unknown_encoding.eml")
	if !strings.Contains(m.Text, "Body in a made-up encoding stays readable.") {
		t.Errorf("Text = %q", m.Text)
	}
	if !containsAny(m.Errors, "x-made-up") {
		t.Errorf("Errors = %q", m.Errors)
	}
}

func TestParseUnknownCharset(t *testing.T) {
	m := mustParse(t, "unknown_charset.eml")
	if m.Text != "Café au lait.\n" {
		t.Errorf("Text = %q", m.Text)
	}
	if !containsAny(m.Errors, "x-klingon") {
		t.Errorf("Errors = %q", m.Errors)
	}
}

func TestParseHTMLOnlySanitized(t *testing.T) {
	m := mustParse(t, "html_only.eml")
	for _, bad := range []string{"<script", "alert", "onclick", "onload", "onerror", "javascript:", "<form", "evil.example", "<style", "<input"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("sanitized HTML contains %q: %s", bad, m.HTML)
		}
	}
	if !strings.Contains(m.HTML, `src="cid:logo@x"`) || !strings.Contains(m.HTML, `href="https://example.com/doc"`) {
		t.Errorf("sanitized HTML lost safe content: %s", m.HTML)
	}
	if !strings.Contains(m.Text, "Hello *team*, click and the doc (https://example.com/doc).") {
		t.Errorf("Text = %q", m.Text)
	}
	if strings.Contains(m.Text, "alert") || strings.Contains(m.Text, "color:red") {
		t.Errorf("Text has script or style: %q", m.Text)
	}
	if !strings.Contains(m.Text, "> Earlier message") {
		t.Errorf("blockquote not quoted in Text: %q", m.Text)
	}
	if strings.Contains(m.ReplyText, "Earlier") || !strings.HasPrefix(m.ReplyText, "Hello *team*") {
		t.Errorf("ReplyText = %q", m.ReplyText)
	}
}

func TestParseNoHeaderIsError(t *testing.T) {
	m, err := Parse([]byte(" \x00garbage without any header\n"))
	if err == nil {
		t.Errorf("want error, got %+v", m)
	}
	if m == nil {
		t.Fatal("nil message")
	}
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestParseFormatFlowed(t *testing.T) {
	m := mustParse(t, "flowed.eml")
	if !strings.HasPrefix(m.Text, "This paragraph was wrapped by the client and should be one lineagain after unflowing.") {
		t.Errorf("delsp=yes Text = %q", m.Text)
	}
	if !strings.Contains(m.Text, "\n-- \nGina") || m.ReplyText != "This paragraph was wrapped by the client and should be one lineagain after unflowing." {
		t.Errorf("signature: Text %q ReplyText %q", m.Text, m.ReplyText)
	}
	m = mustParse(t, "flowed_quote.eml")
	if !strings.Contains(m.Text, "> Shall we close the ticket now?") || m.ReplyText != "Yes, I agree." {
		t.Errorf("quoted flowed: Text %q ReplyText %q", m.Text, m.ReplyText)
	}
}

func TestParseFilenames(t *testing.T) {
	m := mustParse(t, "filenames.eml")
	if m.Subject != "Café menu" {
		t.Errorf("raw 8-bit Subject = %q", m.Subject)
	}
	want := []string{"été résumé.txt", "passwd", "menü.pdf", "日本語.pdf"}
	if len(m.Attachments) != len(want) {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	for i, w := range want {
		if m.Attachments[i].Filename != w {
			t.Errorf("attachment %d: Filename = %q, want %q", i, m.Attachments[i].Filename, w)
		}
	}
	if string(m.Attachments[0].Data) != "summer" || m.Attachments[0].ContentType != "text/plain" {
		t.Errorf("text attachment = %+v", m.Attachments[0])
	}
	if m.Text != "Four files." {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseOutlookHTMLReply(t *testing.T) {
	m := mustParse(t, "outlook_html.eml")
	if m.ReplyText != "The update fixed it, thanks!" {
		t.Errorf("ReplyText = %q (Text %q)", m.ReplyText, m.Text)
	}
}

func TestParseMissingBoundaryKeepsLastPart(t *testing.T) {
	m := mustParse(t, "missing_boundary.eml")
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "half.bin" || string(m.Attachments[0].Data) != "\x00\x01\x02\x03\x04\x05" {
		t.Errorf("attachments = %+v", m.Attachments)
	}
}

func TestParseNoHeaderKeepsText(t *testing.T) {
	m, err := Parse([]byte("just some words\nwithout a header\n"))
	if err == nil {
		t.Error("want an error for a message without header")
	}
	if m.Text != "just some words\nwithout a header" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseEmptyPlainFallsBackToHTML(t *testing.T) {
	raw := "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n \n--a\nContent-Type: text/html\n\n<p>Real content</p>\n--a--\n"
	m, err := Parse([]byte(raw))
	if err != nil || m.Text != "Real content" {
		t.Errorf("Text = %q, err %v", m.Text, err)
	}
}

func TestParseLatin1LabelWithWindows1252Bytes(t *testing.T) {
	m := mustParse(t, "latin1_cp1252.eml")
	if m.Text != "“Smart” quotes cost €5, café.\n" || len(m.Errors) != 0 {
		t.Errorf("Text = %q, errors %q", m.Text, m.Errors)
	}
}

func TestParseDigestDefaultsToMessage(t *testing.T) {
	raw := "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d--\n"
	m, err := Parse([]byte(raw))
	if err != nil || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" {
		t.Errorf("digest part: %v %+v", err, m.Attachments)
	}
}

func TestDecodeUTF7(t *testing.T) {
	cases := map[string]string{
		"Hi Mom -+Jjo--!":   "Hi Mom -☺-!",
		"A+ImIDkQ.":         "A≢Α.",
		"1 +- 1 = 2":        "1 + 1 = 2",
		"+ZeVnLIqe-":        "日本語",
		"broken +AAA":       "broken \x00",
		"plain ASCII only.": "plain ASCII only.",
	}
	for in, want := range cases {
		if got := decodeUTF7([]byte(in)); got != want {
			t.Errorf("decodeUTF7(%q) = %q, want %q", in, got, want)
		}
	}
	raw := "Subject: x\r\nContent-Type: text/plain; charset=unicode-1-1-utf-7\r\n\r\nDelivery +AOk-chou+AOk-e\r\n"
	m, _ := Parse([]byte(raw))
	if m.Text != "Delivery échouée\r\n" && m.Text != "Delivery échouée\n" {
		t.Errorf("Text = %q (errors %q)", m.Text, m.Errors)
	}
}
