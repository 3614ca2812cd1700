package mailparse

import (
	"regexp"
	"strings"
)

// ExtractReply returns only the new reply of a message's text: quoted
// history ("> " lines), the "On … wrote:" header above it, forwarded and
// Outlook original-message blocks and signatures are removed, and the rest
// is trimmed. Parse uses it for Message.ReplyText.
func ExtractReply(text string) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if isQuoteHeader(t) || isOriginalMessage(t) {
			cut = i
			break
		}
	}
	var kept []string
	for _, l := range lines[:cut] {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		kept = append(kept, l)
	}
	kept = cutSignature(kept)
	return strings.TrimSpace(strings.Join(kept, "\n"))
}

var (
	onWrote          = regexp.MustCompile(`(?i)^(on|am|le|el|il|op|em)\s.+(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)\s*:\s*$`)
	originalMessage  = regexp.MustCompile(`(?i)^-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine)\s*-{2,}$`)
	mobileSignatures = regexp.MustCompile(`(?i)^(sent from my|sent from|envoyé de mon|gesendet von meinem|enviado desde mi)\b`)
)

func isQuoteHeader(t string) bool     { return onWrote.MatchString(t) }
func isOriginalMessage(t string) bool { return originalMessage.MatchString(t) }
func isMobileSignature(t string) bool { return mobileSignatures.MatchString(t) }

// cutSignature drops everything from the last "-- " delimiter (RFC 3676
// §4.3) or mobile signature line.
func cutSignature(lines []string) []string {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] == "-- " || lines[i] == "--" || isMobileSignature(strings.TrimSpace(lines[i])) {
			return lines[:i]
		}
	}
	return lines
}
