package mailparse_test

import (
	"testing"

	"github.com/deskgate/deskgate/mailparse"
)

// Senders that leave the "=" padding off a base64 encoded-word (seen in
// sisimai's corpus: From: =?utf-8?B?eHB0bw?=) still get their name and
// subject decoded, as mail clients show them; a padded word and a word
// that is not base64 at all are unchanged.
func TestUnpaddedBase64EncodedWordsDecode(t *testing.T) {
	raw := "From: =?utf-8?B?eHB0bw?= <dummy@example.com>\r\n" +
		"To: =?UTF-8?b?QW5kcsOp?= <andre@example.org>, =?utf-8?B?QW5kcsOp?= <b@example.org>\r\n" +
		"Subject: =?utf-8?B?R3LDvMOfZQ?= =?utf-8?B?IQ==?=\r\n\r\nhello\r\n"
	m, err := mailparse.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "xpto" || m.From.Email != "dummy@example.com" {
		t.Errorf("From %+v, want xpto <dummy@example.com>", m.From)
	}
	if len(m.To) != 2 || m.To[0].Name != "André" || m.To[1].Name != "André" {
		t.Errorf("To %+v, want two André", m.To)
	}
	if m.Subject != "Grüße!" {
		t.Errorf("Subject %q, want Grüße!", m.Subject)
	}

	m, _ = mailparse.Parse([]byte("From: =?utf-8?B?x?= <a@example.com>\r\nSubject: =?utf-8?B?x?=\r\n\r\nhi\r\n"))
	if m.Subject != "=?utf-8?B?x?=" || m.From.Email != "a@example.com" {
		t.Errorf("a word that is no base64 changed: subject %q, from %+v", m.Subject, m.From)
	}
}
