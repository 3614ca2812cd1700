package mailparse

import (
	"strings"
)

// ExtractReply returns only the new reply of a message's text, trimmed.
//
// It classifies each line (text, blank, quoted, quote header such as
// "On … wrote:" in many languages, Outlook "From:/Sent:/To:" block,
// original-message or forward marker, signature delimiter, mobile
// signature) and then:
//   - cuts at the first signature delimiter ("-- ", RFC 3676 §4.3, or a
//     line of dashes, underscores, equals…) that follows some text, or at
//     a mobile signature ("Sent from my iPhone") after which no new text
//     follows;
//   - when the message starts with a quote header or a quoted block opened
//     by one (bottom posting), drops that history and keeps what follows —
//     unless answers are written between quoted passages below the header
//     (inline replies): then only the header line goes;
//   - at a later quote header: when a quoted block follows and then any
//     new text, the header line goes and the quote stays (inline replies:
//     every line the sender wrote is kept, with the quoted lines it
//     answers); otherwise everything from the header on is history and
//     goes;
//   - drops quoted blocks left at the end.
//
// Quoted lines between pieces of new text (inline replies) are kept. Text
// inside ``` code fences is never taken for a delimiter or quote. A
// forward with nothing typed above it gives the forwarded body; a text
// that is only quoted history gives "".
func ExtractReply(text string) string {
	return extractReply(text, false)
}

// ExtractReplyForward is ExtractReply for a message its sender forwarded
// (a "Fwd:" subject, or a forward marker in a mail that answers nothing):
// forwarding is not quoting, so the forwarded message — its marker, header
// fields and body — is kept whole below what was typed above it.
func ExtractReplyForward(text string) string {
	return extractReply(text, true)
}

// extractReply is ExtractReply; with forward, the first forward marker or
// Outlook header block after which the forwarded message follows ends the
// trimming and everything from it on is kept.
func extractReply(text string, forward bool) string {
	lines, glued := splitGluedHeaders(strings.Split(normalizeNewlines(text), "\n"))
	kinds := classify(lines)
	var forwarded []string
	gluedForward := false // the forward was glued to the text above: no blank line between
	if forward {
		if i := forwardStart(lines, kinds); i >= 0 {
			forwarded = trimLines(lines[i:])
			gluedForward = glued != nil && glued[i]
			lines, kinds = lines[:i], kinds[:i]
		}
	}
	lines, kinds = cutSignature(lines, kinds)
	lines, kinds = dropLeadingHistory(lines, kinds)
	lines, kinds = resolveHeaders(lines, kinds)
	lines, kinds = dropQuoteBeforeSignOff(lines, kinds)
	lines = dropTrailingQuotes(lines, kinds)
	out := trimLines(lines)
	if len(forwarded) > 0 {
		if !gluedForward && strings.TrimSpace(strings.Join(out, "")) != "" {
			out = append(out, "")
		}
		out = append(out, forwarded...)
	}
	return strings.Trim(strings.Join(out, "\n"), " \t\n")
}

// trimLines returns the lines without trailing spaces and tabs.
func trimLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
}

// forwardStart returns the index of the line that starts a forwarded
// message: a forward marker ("---------- Forwarded message ---------",
// "Begin forwarded message:", also quoted as Apple Mail does) or an Outlook
// "From:/Sent:" header block; -1 when there is none.
func forwardStart(lines []string, kinds []lineKind) int {
	for i, k := range kinds {
		switch {
		case k == kBlock && (isForwardMarker(cleanLine(lines[i])) || fromKey.MatchString(cleanLine(lines[i]))):
			return i
		case k == kQuote && isForwardMarker(strings.TrimSpace(unquoteLine(lines[i]))):
			return i
		}
	}
	return -1
}

// lineKind is what one line of a reply is.
type lineKind byte

const (
	kText      lineKind = 't'
	kEmpty     lineKind = 'e'
	kQuote     lineKind = 'q' // "> …" (RFC 3676 §4.5 quote depth)
	kHeader    lineKind = 'h' // "On … wrote:" and its wrapped continuation lines
	kBlock     lineKind = 'b' // Outlook header block start, original/forwarded marker
	kDelimiter lineKind = 'd' // signature separator or a rule of punctuation
	kMobile    lineKind = 's' // "Sent from my iPhone" and the like
)

// classify gives every line its kind; quote headers wrapped over several
// lines are recognised as one.
func classify(lines []string) []lineKind {
	kinds := make([]lineKind, len(lines))
	fence := false
	for i, l := range lines {
		t := cleanLine(l)
		switch {
		case strings.HasPrefix(t, "```"):
			fence = !fence
			kinds[i] = kText
		case fence:
			kinds[i] = kText
		case t == "":
			kinds[i] = kEmpty
		case isQuoted(l):
			kinds[i] = kQuote
		case isDelimiter(t):
			kinds[i] = kDelimiter
		case isMobileSignature(t):
			kinds[i] = kMobile
		case isQuoteHeader(t) || isDateHeader(t) || isDashedAttribution(t) || isSentHeader(t) && quoteBelow(lines, i):
			kinds[i] = kHeader
		case isMarker(t) || isHeaderBlock(lines, i):
			kinds[i] = kBlock
		default:
			kinds[i] = kText
		}
	}
	markWrappedHeaders(lines, kinds)
	markDashSignatures(lines, kinds)
	return kinds
}

// quoteBelow tells whether the first non-blank line within two lines
// below line i is quoted.
func quoteBelow(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return isQuoted(lines[j])
		}
	}
	return false
}

// markWrappedHeaders finds quote headers that a client wrapped over up to
// six lines ("On Tue, … Chris <\nchris@example.com> wrote:"), sometimes
// with blank lines or a ">"-led tail ("> wrote:", ">:") in between. The
// header starts at the last line that begins like one ("On Mon, 30 Nov",
// "Am 30.11.2026"), so lines of the reply above it that merely start with
// "On" or a number stay text.
func markWrappedHeaders(lines []string, kinds []lineKind) {
	for i := range lines {
		if kinds[i] != kText || !mayStartHeader(cleanLine(lines[i])) {
			continue
		}
		joined := cleanLine(lines[i])
		for j := i + 1; j < len(lines) && j < i+7 && len(joined) < 400; j++ {
			if !continuesHeader(lines, kinds, j) {
				break
			}
			if kinds[j] == kEmpty {
				continue
			}
			joined += " " + headerPart(lines[j], kinds[j])
			if isQuoteHeader(joined) {
				start := i
				for k := j; k > i; k-- {
					if kinds[k] != kEmpty && startsLikeHeader(cleanLine(lines[k])) && isQuoteHeader(joinHeader(lines, kinds, k, j)) {
						start = k
						break
					}
				}
				for k := start; k <= j; k++ {
					kinds[k] = kHeader
				}
				break
			}
		}
	}
}

// headerPart is line l as a piece of a wrapped header: trimmed, without
// the quote mark of a ">"-led tail.
func headerPart(l string, k lineKind) string {
	if k == kQuote {
		return strings.TrimSpace(strings.TrimPrefix(cleanLine(l), ">"))
	}
	return cleanLine(l)
}

// joinHeader joins lines from..to (blank lines left out) as one header.
func joinHeader(lines []string, kinds []lineKind, from, to int) string {
	parts := make([]string, 0, to-from+1)
	for k := from; k <= to; k++ {
		if kinds[k] != kEmpty {
			parts = append(parts, headerPart(lines[k], kinds[k]))
		}
	}
	return strings.Join(parts, " ")
}

// continuesHeader tells whether line j may be part of a wrapped header:
// plain text, a blank line before an address fragment, or a short
// ">"-led tail such as "> wrote:".
func continuesHeader(lines []string, kinds []lineKind, j int) bool {
	switch kinds[j] {
	case kText, kHeader:
		return true
	case kEmpty:
		n := skip(kinds, j, kEmpty)
		if n == len(lines) {
			return false
		}
		t := strings.TrimSpace(lines[n])
		return strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">") || strings.HasPrefix(strings.ToLower(t), "mailto:")
	case kQuote:
		t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[j]), ">"))
		return len(t) <= 24 && (strings.HasSuffix(t, ":") || strings.HasSuffix(t, "："))
	}
	return false
}

// markDashSignatures marks a short "-Name" line standing alone in its
// paragraph, the signature habit email_reply_parser recognises ("-Abhishek
// Kona"), as a delimiter.
func markDashSignatures(lines []string, kinds []lineKind) {
	for i, l := range lines {
		if kinds[i] != kText || !dashSignature.MatchString(cleanLine(l)) {
			continue
		}
		if (i == 0 || kinds[i-1] == kEmpty) && (i+1 == len(lines) || kinds[i+1] == kEmpty) {
			kinds[i] = kDelimiter
		}
	}
}

// cutSignature drops everything from the first delimiter or mobile
// signature that follows some text. A "Sent from my …" line counts only
// when no new text follows it (only blank lines, more signatures or
// quoted history), so a sentence that merely starts that way stays.
func cutSignature(lines []string, kinds []lineKind) ([]string, []lineKind) {
	seenText := false
	for i, k := range kinds {
		switch k {
		case kText:
			seenText = true
		case kDelimiter:
			if seenText {
				return lines[:i], kinds[:i]
			}
		case kMobile:
			next := skip(kinds, i, kMobile, kEmpty)
			if seenText && (next == len(kinds) || kinds[next] != kText) {
				return lines[:i], kinds[:i]
			}
		}
	}
	return lines, kinds
}

// dropLeadingHistory handles bottom posting: a message that starts with a
// quote header ("On … wrote:" then the quote), or with a quoted block that
// itself opens with one, has its new text below. A message that starts
// with a forward or Outlook block is kept whole: nothing was typed above
// the forwarded message, so the forwarded content is what was sent.
func dropLeadingHistory(lines []string, kinds []lineKind) ([]string, []lineKind) {
	i := skip(kinds, 0, kEmpty)
	if i == len(kinds) {
		return lines, kinds
	}
	switch {
	case kinds[i] == kHeader:
		i = skip(kinds, i, kHeader, kEmpty)
		if !interleaved(kinds, i) {
			i = skip(kinds, i, kQuote, kEmpty)
		}
	case kinds[i] == kQuote && quotedHeader(lines[i]):
		if interleaved(kinds, i) {
			// Drop the quoted header and the empty quoted lines after it.
			for i++; i < len(lines) && kinds[i] == kQuote && strings.TrimSpace(unquoteLine(lines[i])) == ""; i++ {
			}
		} else {
			i = skip(kinds, i, kQuote, kEmpty)
		}
	case kinds[i] == kBlock:
		i = skipHeaderFields(lines, kinds, i)
	default:
		return lines, kinds
	}
	return lines[i:], kinds[i:]
}

// interleaved tells whether the lines from i are answers written between
// quoted passages: a quoted block, new text, another quoted block, and new
// text after it. The quotes are then the questions answered and stay.
func interleaved(kinds []lineKind, i int) bool {
	for _, want := range []lineKind{kQuote, kText, kQuote, kText} {
		if i == len(kinds) || kinds[i] != want {
			return false
		}
		i = skip(kinds, i, want, kEmpty)
	}
	return true
}

// skipHeaderFields skips a forward marker or Outlook block at i and its
// header fields up to the blank line that ends them, and the blank lines
// after. It returns i unchanged when no header fields follow the marker.
func skipHeaderFields(lines []string, kinds []lineKind, i int) int {
	j := i
	if kinds[j] == kBlock && !fromKey.MatchString(cleanLine(lines[j])) {
		j = skip(kinds, j+1, kEmpty)
	}
	if j == len(lines) || !fromKey.MatchString(cleanLine(lines[j])) && !headerKey.MatchString(cleanLine(lines[j])) {
		return i
	}
	for j < len(lines) && kinds[j] != kEmpty {
		j++
	}
	return skip(kinds, j, kEmpty)
}

// quotedHeader tells whether a quoted line, without its quote marks, is a
// quote header.
func quotedHeader(l string) bool {
	t := cleanLine(unquoteLine(l))
	return isQuoteHeader(t) || isDateHeader(t) || isMarker(t) || isDashedAttribution(t)
}

// minTailLines is how many lines of new text must follow a quoted block
// for it to count as an inline reply: one. Every line the sender wrote is
// kept; only quoted history with nothing of theirs after it goes.
const minTailLines = 1

// resolveHeaders decides, at every quote header or block after the first
// text, whether it starts the history (cut) or introduces an inline-quoted
// passage the writer answers below (the header line alone is dropped).
func resolveHeaders(lines []string, kinds []lineKind) ([]string, []lineKind) {
	var outL []string
	var outK []lineKind
	for i := 0; i < len(lines); i++ {
		if kinds[i] != kHeader && kinds[i] != kBlock {
			outL, outK = append(outL, lines[i]), append(outK, kinds[i])
			continue
		}
		if !hasText(outK) {
			if kinds[i] == kBlock {
				// A forward with nothing typed above it: what was
				// forwarded is the message.
				j := skipHeaderFields(lines, kinds, i)
				return lines[j:], kinds[j:]
			}
			return nil, nil // only history
		}
		if kinds[i] == kBlock || !inlineReplyFollows(kinds, i) {
			return outL, outK
		}
		i = skip(kinds, i, kHeader) - 1
	}
	return outL, outK
}

// inlineReplyFollows tells whether the header at i is followed by a quoted
// block and then at least minTailLines lines of new text.
func inlineReplyFollows(kinds []lineKind, i int) bool {
	j := skip(kinds, i, kHeader, kEmpty)
	if j == len(kinds) || kinds[j] != kQuote {
		return false
	}
	j = skip(kinds, j, kQuote, kEmpty)
	n := 0
	for ; j < len(kinds) && kinds[j] != kHeader && kinds[j] != kBlock; j++ {
		if kinds[j] == kText {
			n++
		}
	}
	return n >= minTailLines
}

// dropTrailingQuotes removes quoted blocks (and blank lines) at the end.
func dropTrailingQuotes(lines []string, kinds []lineKind) []string {
	end := len(lines)
	for end > 0 && (kinds[end-1] == kQuote || kinds[end-1] == kEmpty) {
		end--
	}
	if end == 0 {
		// Only a quote: keep it unless it is quoted history (it opens
		// with a quote header), which means nothing new was written.
		i := skip(kinds, 0, kEmpty)
		if i < len(lines) && quotedHeader(lines[i]) {
			return nil
		}
		return lines
	}
	return lines[:end]
}

func hasText(kinds []lineKind) bool {
	for _, k := range kinds {
		if k == kText {
			return true
		}
	}
	return false
}

// skip returns the first index from i whose kind is not one of ks.
func skip(kinds []lineKind, i int, ks ...lineKind) int {
	for ; i < len(kinds); i++ {
		match := false
		for _, k := range ks {
			if kinds[i] == k {
				match = true
				break
			}
		}
		if !match {
			return i
		}
	}
	return i
}
