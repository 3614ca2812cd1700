package store

import (
	"reflect"
	"testing"
)

func TestSearchTermsAndMatch(t *testing.T) {
	if got := SearchTerms(" Toner, toner? 'Étoile'  a&b:* |x "); !reflect.DeepEqual(got, []string{"toner", "étoile", "a", "b", "x"}) {
		t.Errorf("SearchTerms = %q", got)
	}
	if got := SearchTerms("1 2 3 4 5 6 7 8 9 10"); len(got) != MaxSearchTerms {
		t.Errorf("SearchTerms kept %d terms, want %d", len(got), MaxSearchTerms)
	}
	for _, c := range []struct {
		text, q string
		want    bool
	}{
		{"Where do I buy toner?", "TON", true},
		{"Where do I buy toner?", "buy where", true},
		{"Where do I buy toner?", "oner", false},
		{"Where do I buy toner?", "toner ink", false},
		{"anything", "", false},
	} {
		if got := MatchTerms(c.text, SearchTerms(c.q)); got != c.want {
			t.Errorf("MatchTerms(%q, %q) = %v", c.text, c.q, got)
		}
	}
}
