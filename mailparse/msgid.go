package mailparse

import (
	"regexp"
	"strings"

	"github.com/emersion/go-message/mail"
)

var bracketID = regexp.MustCompile(`<([^<>]+)>`)

// ParseMessageIDs reads a Message-ID, In-Reply-To or References value
// (RFC 5322 §3.6.4) into ids without angle brackets, oldest first. The
// strict parser is tried first; when it fails (spaces in ids, comments,
// missing brackets, garbage between ids) every <...> is taken instead, and
// a value holding no brackets but bare tokens that look like ids
// ("abc@host") is read as those tokens.
func ParseMessageIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	h := mail.Header{}
	h.Set("X", v)
	if ids, err := h.MsgIDList("X"); err == nil && len(ids) > 0 {
		return dedupe(ids)
	}
	var out []string
	for _, m := range bracketID.FindAllStringSubmatch(v, -1) {
		if id := strings.TrimSpace(m[1]); id != "" {
			out = append(out, strings.Join(strings.Fields(id), ""))
		}
	}
	if len(out) > 0 {
		return dedupe(out)
	}
	fields := strings.Fields(v)
	if len(fields) == 1 {
		return dedupe([]string{strings.Trim(fields[0], "<>")})
	}
	for _, f := range fields {
		f = strings.Trim(f, "<>,;")
		if strings.Contains(f, "@") {
			out = append(out, f)
		}
	}
	return dedupe(out)
}

// dedupe drops repeated ids, keeping the first (References may repeat one).
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
