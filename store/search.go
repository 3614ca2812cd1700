package store

import (
	"strings"
	"unicode"
)

// MaxSearchTerms bounds the words of one search query.
const MaxSearchTerms = 8

// SearchTerms splits a search query into lowercase words (runs of letters
// and digits), without repeats, at most MaxSearchTerms: what
// SearchConversations and MatchTerms take. Punctuation separates words, so
// a term never carries query syntax to a backend.
func SearchTerms(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), notWordRune) {
		if len(out) == MaxSearchTerms {
			break
		}
		if !contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// MatchTerms reports whether every term (from SearchTerms) begins a word
// of text, ignoring case. No terms match nothing.
func MatchTerms(text string, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(text), notWordRune)
	for _, t := range terms {
		found := false
		for _, w := range words {
			if strings.HasPrefix(w, t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
