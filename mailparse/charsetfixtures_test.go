package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestLegacyCharsetHeaders reads raw 8-bit headers in GB2312/GBK, Big5,
// Shift_JIS, EUC-KR, KOI8-R and windows-1251, with the body's charset
// declared and without, and UTF-7 encoded-words (testdata/charsets).
func TestLegacyCharsetHeaders(t *testing.T) {
	dir := filepath.Join("testdata", "charsets")
	rows := readTSV(t, filepath.Join(dir, "expected.tsv"))
	if len(rows) < 14 {
		t.Fatalf("only %d cases", len(rows))
	}
	for _, r := range rows {
		raw, err := os.ReadFile(filepath.Join(dir, r[0]))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", r[0], err)
			continue
		}
		if msg.Subject != r[1] {
			t.Errorf("%s: Subject %q, want %q", r[0], msg.Subject, r[1])
		}
		if msg.From.Name != r[2] {
			t.Errorf("%s: From name %q, want %q", r[0], msg.From.Name, r[2])
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "multipart-shift_jis-part.eml"))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := Parse(raw)
	if len(msg.Attachments) != 1 || msg.Attachments[0].Filename != "請求書.pdf" {
		t.Errorf("Shift_JIS filename: %+v", msg.Attachments)
	}
}

// Latin-1 bytes inside Latin words stay Latin-1 (no Cyrillic or CJK guess).
func TestLegacyCharsetLatin(t *testing.T) {
	for in, want := range map[string]string{
		"Caf\xe9 cr\xe8me":              "Café crème",
		"Gr\xfc\xdfe aus K\xf6ln":       "Grüße aus Köln",
		"Re: r\xe9clamation n\xb0 4711": "Re: réclamation n° 4711",
		"\xe0 bient\xf4t":               "à bientôt",
		"Se\xf1or Mu\xf1oz":             "Señor Muñoz",
		"Gr\xf6\xdfe: XL":               "Größe: XL",
		"\xc4rger mit der Rechnung":     "Ärger mit der Rechnung",
	} {
		if got := headerText(in, ""); got != want {
			t.Errorf("headerText(%q) = %q, want %q", in, got, want)
		}
	}
}

// CJK runs into Latin product names without a space; that is no reason to
// read it as Latin-1 (undeclared, raw 8-bit).
func TestLegacyCharsetMixedWithLatin(t *testing.T) {
	for _, c := range []struct {
		want string
		enc  encoding.Encoding
	}{
		{"iPhoneの修理について", japanese.ShiftJIS},
		{"Re: 关于iPhone的问题", simplifiedchinese.GBK},
		{"Outlook에서 메일이 안 보내집니다", korean.EUCKR},
		{"Счёт для ООО Ромашка", charmap.KOI8R},
	} {
		raw, err := c.enc.NewEncoder().String(c.want)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := Parse([]byte("From: x@example.test\r\nSubject: " + raw + "\r\n\r\nbody\r\n"))
		if msg.Subject != c.want {
			t.Errorf("Subject %q, want %q (charset %q)", msg.Subject, c.want, msg.HeaderCharset)
		}
	}
}

// A body in a legacy charset with no charset declared is read in the one it
// reads as (and says so in Errors); Latin-1 mislabelled US-ASCII stays
// Windows-1252.
func TestLegacyCharsetUndeclaredBody(t *testing.T) {
	for _, c := range []struct {
		text string
		enc  encoding.Encoding
		ct   string
	}{
		{"Здравствуйте!\nНе приходит письмо для сброса пароля.\nС уважением,\nОльга", charmap.KOI8R, "text/plain"},
		{"お世話になっております。\nパスワードを忘れました。\nよろしくお願いします。", japanese.ShiftJIS, "text/plain"},
		{"您好，\n我的订单什么时候发货？\n谢谢", simplifiedchinese.GBK, "text/plain; charset=us-ascii"},
		{"Bonjour,\nla facture n'est pas arrivée, pouvez-vous la renvoyer ?\nMerci, Amélie", charmap.Windows1252, "text/plain; charset=us-ascii"},
	} {
		raw, err := c.enc.NewEncoder().String(c.text)
		if err != nil {
			t.Fatal(err)
		}
		raw = strings.ReplaceAll(raw, "\n", "\r\n")
		msg, _ := Parse([]byte("From: x@example.test\r\nSubject: hi\r\nContent-Type: " + c.ct + "\r\n\r\n" + raw + "\r\n"))
		if strings.TrimSpace(msg.Text) != c.text {
			t.Errorf("%s body read as %q (errors %q)", c.ct, msg.Text, msg.Errors)
		}
		if len(msg.Errors) == 0 {
			t.Errorf("no error says the text was not as declared: %q", c.text)
		}
	}
}
