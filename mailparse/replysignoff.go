package mailparse

import (
	"regexp"
	"strings"
)

// A sign-off below the quote ("Yes, go ahead." / "> Shall we?" /
// "Regards, Carol") closes the reply written above the quote: the quote is
// the history the sender left between the two, not a question answered
// inline. The sign-off is the reply's end and stays; the quote goes.

// signOffLine matches the first line of a sign-off: a closing formula in
// one of the languages of the quote headers, alone or followed by a name
// ("Regards, Carol", "Viele Grüße", "Saludos,", "Thanks Carol Customer").
var signOffLine = regexp.MustCompile(`^(?i:regards|best regards|kind regards|warm regards|warmest regards|with regards|many thanks|thanks|thank you|thanks again|thanks in advance|thx|cheers|best|best wishes|all the best|sincerely|yours sincerely|sincerely yours|yours truly|yours|cordially|respectfully|take care|br|kr|` +
	`viele grüße|viele grüsse|beste grüße|liebe grüße|herzliche grüße|freundliche grüße|schöne grüße|mit freundlichen grüßen|mit freundlichen grüssen|mit freundlichem gruß|grüße|gruß|lg|vg|mfg|danke|vielen dank|` +
	`cordialement|bien cordialement|bien à vous|salutations|sincères salutations|amicalement|merci|merci beaucoup|bonne journée|` +
	`saludos|un saludo|saludos cordiales|atentamente|gracias|muchas gracias|un abrazo|` +
	`cordiali saluti|distinti saluti|saluti|grazie|grazie mille|buona giornata|` +
	`met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|hartelijke groet|groeten|groet|bedankt|dank je|dank u|mvg|` +
	`atenciosamente|cumprimentos|abraços|abraço|obrigado|obrigada|saudações|` +
	`med vänliga hälsningar|vänliga hälsningar|mvh|hälsningar|pozdrawiam|z poważaniem|` +
	`с уважением|спасибо|всего доброго|谢谢|謝謝|此致|祝好|よろしくお願いします|よろしくお願いいたします|敬具)` +
	`[\s,.!，。！、]*(?:\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*){0,2}[.!]?)?$`)

// isSignOff tells whether lines (text and blank lines) are a sign-off: a
// closing line, then at most four short lines (a name, a title, a company,
// a phone number), none of them a question.
func isSignOff(lines []string) bool {
	var text []string
	for _, l := range lines {
		if t := cleanLine(l); t != "" {
			text = append(text, t)
		}
	}
	if len(text) == 0 || len(text) > 5 || len(text[0]) > 80 || !signOffLine.MatchString(text[0]) {
		return false
	}
	for _, t := range text[1:] {
		if len(t) > 60 || len(strings.Fields(t)) > 6 || strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") {
			return false
		}
	}
	return true
}

// dropQuoteBeforeSignOff removes the last quoted block when the sender
// wrote text above it and only a sign-off below it. Inline answers are
// untouched: there the text below the last quote is an answer, not a
// sign-off.
func dropQuoteBeforeSignOff(lines []string, kinds []lineKind) ([]string, []lineKind) {
	last := len(kinds) - 1
	for last >= 0 && kinds[last] != kQuote {
		if kinds[last] != kText && kinds[last] != kEmpty {
			return lines, kinds
		}
		last--
	}
	if last < 0 || !isSignOff(lines[last+1:]) {
		return lines, kinds
	}
	start := last
	for start > 0 && (kinds[start-1] == kQuote || kinds[start-1] == kEmpty) {
		start--
	}
	start = skip(kinds, start, kEmpty)
	if !hasText(kinds[:start]) {
		return lines, kinds // nothing above the quote: it stays with the sign-off
	}
	after := skip(kinds, last+1, kEmpty)
	outL := append([]string{}, lines[:start]...)
	outK := append([]lineKind{}, kinds[:start]...)
	if kinds[start-1] != kEmpty {
		outL, outK = append(outL, ""), append(outK, kEmpty)
	}
	outL, outK = append(outL, lines[after:]...), append(outK, kinds[after:]...)
	return outL, outK
}
