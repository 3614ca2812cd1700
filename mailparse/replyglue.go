package mailparse

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote headers glued onto the end of the reply's last line: some mobile
// and webmail clients (and HTML turned into text where a <div> boundary
// was lost) join the last words of the reply and what starts the history.
// The words before it are the sender's and must never be cut, so the line
// is split in two before the lines are classified.

// splitGluedHeaders puts a quote header, separator line or Outlook header
// block that follows new text on the same line ("Thanks!On Mon, … wrote:",
// "Yes.-----Original Message-----", "Yes.From: Support <…>") on a line of
// its own, so the text is kept and the header recognised. Lines without
// such a header are returned as they are (the same slice when there is
// none). glued marks the lines split off (nil when there is none).
func splitGluedHeaders(lines []string) (out []string, glued []bool) {
	for i, l := range lines {
		p := -1
		if !isQuoted(l) {
			if mayHoldGluedHeader(l) {
				p = gluedHeaderAt(l, lines[i+1:min(i+3, len(lines))])
			}
			if p < 0 && i+1 < len(lines) && mayHoldGluedBlock(l) {
				p = gluedBlockAt(l, lines[i+1:min(i+7, len(lines))])
			}
		}
		if p < 0 {
			if out != nil {
				out, glued = append(out, l), append(glued, false)
			}
			continue
		}
		if out == nil {
			out = append(make([]string, 0, len(lines)+1), lines[:i]...)
			glued = make([]bool, i, len(lines)+1)
		}
		out, glued = append(out, l[:p], l[p:]), append(glued, false, true)
	}
	if out == nil {
		return lines, nil
	}
	return out, glued
}

// gluedIntro finds where an attribution may start inside a line: a
// capitalised first word of an "On … wrote:" line in a major language,
// after the end of a sentence or glued to the previous word.
var gluedIntro = regexp.MustCompile(`(?:[.!?)"'…:;]\s*|\p{Ll})(On|Le|Am|El|Em|Op|Il|Den|W dniu|Dne|Στις|В|У) [^\n]{6,}$`)

// gluedIntroLoose finds the same words after anything but a space, or
// after a space ("thanks a lot On Mon, …", "order 44117On Mon, …", "谢谢！在
// 2026年…"); what follows must then begin like an attribution, with a
// number soon after the intro word.
var gluedIntroLoose = regexp.MustCompile(`\S\s*(On|Le|Am|El|Em|Op|Il|Den|W dniu|Dne|Στις|В|У|在|於) `)

// gluedCJKDate finds a date-first attribution ("2026年11月30日(月) 10:00
// Support <…>:", "2026/11/30 10:00、Support <…> のメール:") after the end of a
// CJK sentence.
var gluedCJKDate = regexp.MustCompile(`[。！？]\s*(\d{4}\s*[年/.-]\s*\d{1,2})`)

// gluedHeaderAt returns where a quote header starts inside line l after
// new text ("Works now, thanks!On Mon, 30 Nov 2026 … wrote:", as some
// mobile and webmail clients join the reply's last line and the
// attribution), or -1. next holds up to the two following lines, for an
// attribution the client wrapped.
func gluedHeaderAt(l string, next []string) int {
	t := strings.TrimRight(l, " \t")
	if len(t) < 12 || len(t) > 600 || isQuoted(t) {
		return -1
	}
	if m := gluedIntro.FindStringSubmatchIndex(t); m != nil {
		if p := m[2]; gluedPrefixOK(t[:p]) && headerFrom(t[p:], next) {
			return p
		}
	}
	if strings.ContainsAny(t, "。！？") {
		// "ありがとうございます。2026年11月30日(月) 10:00 Support <…>:"
		if m := gluedCJKDate.FindStringSubmatchIndex(t); m != nil && m[2] > 0 && gluedPrefixOK(t[:m[2]]) && headerFrom(t[m[2]:], next) {
			return m[2]
		}
	}
	for _, m := range gluedIntroLoose.FindAllStringSubmatchIndex(t, 8) {
		p := m[2]
		prefix := t[:p]
		if !gluedPrefixOK(prefix) || startsLikeHeader(cleanLine(prefix)) || !startsLikeHeader(cleanLine(t[p:])) {
			continue
		}
		if headerFrom(t[p:], next) {
			return p
		}
	}
	return -1
}

// gluedPrefixOK tells whether the text before a glued header holds words.
func gluedPrefixOK(prefix string) bool {
	return strings.IndexFunc(prefix, unicode.IsLetter) >= 0 || strings.IndexFunc(prefix, unicode.IsDigit) >= 0
}

// headerFrom tells whether rest, alone or with the lines after it, is a
// quote header.
func headerFrom(rest string, next []string) bool {
	joined := cleanLine(rest)
	if isQuoteHeader(joined) {
		return true
	}
	for _, n := range next {
		joined += " " + cleanLine(n)
		if isQuoteHeader(joined) {
			return true
		}
	}
	return false
}

// gluedIntroWords are the words gluedIntro and gluedIntroLoose start
// with, for a cheap test before the regular expressions run.
var gluedIntroWords = []string{"On ", "Le ", "Am ", "El ", "Em ", "Op ", "Il ", "Den ", "W dniu ", "Dne ", "Στις ", "В ", "У ", "在 ", "於 "}

// mayHoldGluedHeader is a cheap test that a line may hold an attribution
// after some text: it names one of the intro words after its start.
func mayHoldGluedHeader(l string) bool {
	if len(l) < 12 {
		return false
	}
	if strings.ContainsAny(l, "。！？") {
		return true
	}
	for _, w := range gluedIntroWords {
		if i := strings.Index(l, w); i > 0 {
			return true
		}
	}
	return false
}

// gluedFrom finds a From field inside a line, in the languages of fromKey
// that a glued block is seen in.
var gluedFrom = regexp.MustCompile(`(?i)(from|von|de|da|van|från|fra|od|от|від|发件人|發件人|寄件者|差出人|送信者|afzender|remetente|mittente|expéditeur|absender)\s*[:：]`)

// mayHoldGluedBlock is a cheap test that a line may hold a separator line
// or a From field after some text.
func mayHoldGluedBlock(l string) bool {
	return len(l) > 8 && len(l) <= 600 && (strings.Contains(l, "---") || strings.Contains(l, "___") || strings.ContainsAny(l, ":："))
}

// gluedBlockAt returns where an original-message or forward separator
// ("Yes.-----Original Message-----"), an Outlook rule of underscores above
// a From field, or an Outlook header block ("Yes.From: Support <…>" with
// Sent:/To:/Subject: below) starts inside line l after new text, or -1.
// next holds up to six following lines.
func gluedBlockAt(l string, next []string) int {
	t := strings.TrimRight(l, " \t")
	for p := 1; p < len(t); p++ {
		c := t[p]
		if !strings.ContainsRune("-_=*", rune(c)) || t[p-1] == c || p+3 > len(t) || t[p+1] != c || t[p+2] != c {
			continue
		}
		// "---------- Forwarded message ----------" is one marker.
		if !gluedPrefixOK(t[:p]) || isMarker(cleanLine(t)) {
			return -1
		}
		rest := cleanLine(t[p:])
		if isMarker(rest) || len(rest) >= 10 && isDelimiter(rest) && len(next) > 0 && fromKey.MatchString(cleanLine(next[0])) {
			return p
		}
	}
	if len(next) == 0 || !strings.ContainsAny(next[0], ":：") || !headerKey.MatchString(cleanLine(next[0])) {
		return -1
	}
	for _, m := range gluedFrom.FindAllStringIndex(t, 4) {
		p := m[0]
		if p == 0 || !gluedPrefixOK(t[:p]) {
			continue
		}
		// The word must start there ("Yes.From:", "ok From:",
		// "thanksFrom:"), not end another one ("Agenda:").
		prev, _ := utf8.DecodeLastRuneInString(t[:p])
		cur, _ := utf8.DecodeRuneInString(t[p:])
		if unicode.IsLetter(prev) && unicode.IsLower(cur) {
			continue
		}
		if isHeaderBlock(append([]string{t[p:]}, next...), 0) {
			return p
		}
	}
	return -1
}
