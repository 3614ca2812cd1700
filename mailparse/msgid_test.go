package mailparse

import (
	"reflect"
	"testing"
)

func TestParseMessageIDs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"<a@b>", []string{"a@b"}},
		{"<a@b> <c@d>\r\n <e@f>", []string{"a@b", "c@d", "e@f"}},
		{"<a@b>,<c@d>", []string{"a@b", "c@d"}},
		{"<a b@c> (comment) <d@e>", []string{"ab@c", "d@e"}},
		{"garbage <x@y> more <bad", []string{"x@y"}},
		{"bare-id@host", []string{"bare-id@host"}},
		{"bare1@host bare2@host", []string{"bare1@host", "bare2@host"}},
		{"<a@b> <a@b>", []string{"a@b"}},
		{"<no-at-sign>", []string{"no-at-sign"}},
		{"<>", nil},
		{"<<a@b>>", []string{"a@b"}},
		{"<a@b> (Jane's message of Mon, 30 Nov 2026)", []string{"a@b"}},
		{"<abc\r\n def@host>", []string{"abcdef@host"}},
	}
	for _, c := range cases {
		if got := ParseMessageIDs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseMessageIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
