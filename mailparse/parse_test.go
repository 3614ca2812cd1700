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
