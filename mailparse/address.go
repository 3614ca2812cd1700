package mailparse

import (
	"net/mail"
	"regexp"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// parseMailDate uses net/mail's RFC 5322 §3.3 date parser.
func parseMailDate(v string) (time.Time, error) { return mail.ParseDate(v) }

// parseAddressList reads an address list (RFC 5322 §3.4) with go-message,
// falling back to a lenient reading of each comma-separated item when the
// strict parser gives up (unquoted dots or commas in names, bare
// "user@host" pieces, missing brackets).
func parseAddressList(v string) []Address { return parseAddressListIn(v, "") }

// parseAddressListIn is parseAddressList for a message whose raw 8-bit
// header text is read in charset hint (see headerText).
func parseAddressListIn(v, hint string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	h := gomail.Header{}
	h.Set("X", v)
	if list, err := h.AddressList("X"); err == nil {
		if len(list) == 0 {
			return nil // an empty group such as "undisclosed-recipients:;"
		}
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: headerText(decodeLeftoverWords(a.Name), hint), Email: strings.ToLower(headerText(a.Address, hint))})
		}
		return out
	}
	return lenientAddresses(headerText(decodeWords(v), hint))
}

var (
	bracketAddr = regexp.MustCompile(`<([^<>@\s]+@[^<>\s]+)>`)
	bareAddr    = regexp.MustCompile(`[^\s<>,;:"()\[\]]+@[^\s<>,;:"()\[\]]+`)
)

// lenientAddresses extracts mailboxes from a header the strict parser
// rejected. Each item is "Name <addr>" or a bare addr; an item with no
// address at all keeps its name and an empty Email.
func lenientAddresses(v string) []Address {
	var out []Address
	for _, item := range splitAddressItems(v) {
		item = strings.TrimSpace(item)
		if i := strings.IndexByte(item, ':'); i >= 0 && !strings.ContainsAny(item[:i], "<@\"") {
			item = strings.TrimSpace(item[i+1:]) // group name (RFC 5322 §3.4)
		}
		if item == "" {
			continue
		}
		if m := bracketAddr.FindStringSubmatchIndex(item); m != nil {
			name := strings.TrimSpace(item[:m[0]])
			out = append(out, Address{Name: cleanName(name), Email: strings.ToLower(item[m[2]:m[3]])})
			continue
		}
		if m := bareAddr.FindStringIndex(item); m != nil {
			name := strings.TrimSpace(item[:m[0]] + item[m[1]:])
			out = append(out, Address{Name: cleanName(name), Email: strings.ToLower(strings.Trim(item[m[0]:m[1]], ".'"))})
			continue
		}
		out = append(out, Address{Name: cleanName(item)})
	}
	return out
}

// splitAddressItems splits on commas outside quotes and angle brackets.
func splitAddressItems(v string) []string {
	var out []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inQuote = !inQuote
		case '<':
			if !inQuote {
				depth++
			}
		case '>':
			if !inQuote && depth > 0 {
				depth--
			}
		case ',', ';':
			if !inQuote && depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// cleanName strips quotes and parentheses around a display name.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, `"'() `)
	return strings.Join(strings.Fields(s), " ")
}
