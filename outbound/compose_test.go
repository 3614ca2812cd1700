package outbound

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	gomail "github.com/emersion/go-message/mail"
)

var composer = Composer{FromAddress: "notifications@" + testDomain, Hostname: "mx." + testDomain}

func compose(t *testing.T, mod func(*bridge.Email)) []byte {
	t.Helper()
	e := testEmail(1, "carla@example.org")
	if mod != nil {
		mod(e)
	}
	raw, err := composer.Compose(e, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// headerBlock returns the raw header lines of raw (unfolded lines kept as they are).
func headerBlock(raw []byte) string {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	return string(raw[:i+2])
}

func TestHeaderInjectionInNamesAndSubjects(t *testing.T) {
	evil := "Eve\r\nBcc: victim@example.com\r\n\r\nInjected body"
	raw := compose(t, func(e *bridge.Email) {
		e.FromName = evil
		e.Recipient.Name = "Carla\nX-Evil: 1"
		e.Conversation.Subject = "Help\r\nBcc: victim@example.com"
		e.ReplyTo = "reply+x@support.test\r\nBcc: victim@example.com"
		e.MessageID = "id@x>\r\nBcc: <victim@example.com"
	})
	hdr := headerBlock(raw)
	for _, bad := range []string{"\nBcc:", "\nX-Evil:", "\nInjected body", "\r\n\r\n"} {
		if strings.Contains(hdr, bad) {
			t.Errorf("header contains %q:\n%s", bad, hdr)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Header["Bcc"]) != 0 || len(msg.Header["X-Evil"]) != 0 {
		t.Fatalf("injected fields parsed: %v", msg.Header)
	}
	if id := msg.Header.Get("Message-Id"); strings.Count(id, "<") != 1 || strings.Count(id, ">") != 1 {
		t.Errorf("Message-Id %q", id)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != "Help Bcc: victim@example.com [#7]" {
		t.Errorf("subject %q", subj)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Address != "notifications@support.test" || strings.ContainsAny(from.Name, "\r\n") {
		t.Errorf("From %q: %v", msg.Header.Get("From"), err)
	}
}

func TestNonASCIIIsEncodedAndLinesStayShort(t *testing.T) {
	long := strings.Repeat("Ünïcödé wörds ", 40) + strings.Repeat("x", 1500)
	raw := compose(t, func(e *bridge.Email) {
		e.FromName = "Zoë Ångström 山田"
		e.Conversation.Subject = long
		e.Messages[0].Body = "Grüße!\n" + strings.Repeat("y", 3000) + "\n<script>alert(1)</script> & \"quotes\""
	})
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(sc.Bytes()) > 998 {
			t.Fatalf("line of %d bytes", len(sc.Bytes()))
		}
	}
	for _, c := range headerBlock(raw) {
		if c > 127 {
			t.Fatalf("8-bit character %q in the header", c)
		}
	}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := r.Header.AddressList("From")
	if len(from) != 1 || from[0].Name != "Zoë Ångström 山田" {
		t.Errorf("From name %v", from)
	}
	subj, _ := r.Header.Subject()
	if !strings.HasPrefix(subj, "Ünïcödé wörds") || !strings.HasSuffix(subj, "[#7]") || len([]rune(subj)) > maxSubjectRunes+10 {
		t.Errorf("subject %q", subj)
	}
	var text, html string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		ct, _, _ := p.Header.(*gomail.InlineHeader).ContentType()
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("%s part is not quoted-printable", ct)
		}
		switch ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	if !strings.Contains(text, "Grüße!") || !strings.Contains(text, "<script>") {
		t.Errorf("text part: %q", text)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;") {
		t.Errorf("html part not escaped: %q", html)
	}
	if !strings.Contains(html, "Alice Agent") {
		t.Errorf("html lacks the author")
	}
}

func TestSubjectKeepsOneTag(t *testing.T) {
	for in, want := range map[string]string{
		"Printer":            "Printer [#7]",
		"Printer [#7]":       "Printer [#7]",
		"":                   "Conversation [#7]",
		"  two\t\tspaces  ":  "two spaces [#7]",
		"Re: Printer [#77]!": "Re: Printer [#77]! [#7]",
	} {
		if got := Subject(in, 7); got != want {
			t.Errorf("Subject(%q) = %q, want %q", in, got, want)
		}
	}
}
