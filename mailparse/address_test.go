package mailparse

import (
	"reflect"
	"testing"
)

func TestParseAddressList(t *testing.T) {
	cases := []struct {
		in   string
		want []Address
	}{
		{"", nil},
		{"Jane <Jane@Example.COM>", []Address{{"Jane", "jane@example.com"}}},
		{`"Doe, Jane" <jane@x.org>, bob@y.org`, []Address{{"Doe, Jane", "jane@x.org"}, {"", "bob@y.org"}}},
		{"=?utf-8?q?J=C3=BCrgen?= <j@x.de>", []Address{{"Jürgen", "j@x.de"}}},
		{"undisclosed-recipients:;", nil},
		{"Team: a@x.org, b@x.org;", []Address{{"", "a@x.org"}, {"", "b@x.org"}}},
		// Rejected by the strict parser, read leniently.
		{"Jane Q. Public <jane@x.org>", []Address{{"Jane Q. Public", "jane@x.org"}}},
		{"jane@x.org (Jane)", []Address{{"Jane", "jane@x.org"}}},
		{"Broken <not an address>", []Address{{"Broken <not an address>", ""}}},
		{"Mr. Smith <smith@x.org>, <other@y.org>", []Address{{"Mr. Smith", "smith@x.org"}, {"", "other@y.org"}}},
		{"\"Caf\xe9\" <c@x.fr>", []Address{{"Café", "c@x.fr"}}},
	}
	for _, c := range cases {
		if got := parseAddressList(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseAddressList(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
