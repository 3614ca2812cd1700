package loopguard

import (
	netmail "net/mail"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/mailparse"
)

// Two questions, two answers. Classify asks "who wrote this mail?": only a
// person's mail (Human) is posted, notified and may start a conversation.
// AutoAnswer asks a second question of a person's mail: "may an automatic
// answer go back to its sender?" A person may write and still ask not to be
// answered by a machine; such a mail stays a person's mail (posted and
// notified as usual), but no automation sends an email back to its sender
// in response to it.

// AutoAnswer is whether an automatic answer may go to a mail's sender, and
// why (or why not) in words.
type AutoAnswer struct {
	Allowed bool
	Reason  string
}

// suppressValues are the X-Auto-Response-Suppress values that refuse an
// automatic answer ([MS-OXCMAIL] §2.2.3.2.20: All, OOF = out-of-office
// replies, AutoReply = other automatic replies). DR, NDR, RN and NRN are
// about delivery and read receipts, which deskgate never sends.
var suppressValues = map[string]bool{"all": true, "oof": true, "autoreply": true}

// recipientFields are the header fields that name a mail's recipients
// (RFC 3834 §2; Resent-* for a mail redirected on purpose).
var recipientFields = []string{"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"}

// AutoAnswer decides whether an automatic answer may go to the sender of
// raw, which Classify judged v. In order:
//  1. mail that is not a person's is never answered (RFC 3834 §2: no answer
//     to automatic mail, bounces, lists);
//  2. X-Auto-Response-Suppress with All, OOF or AutoReply: the sender asks
//     not to be auto-answered (Outlook sets it on meeting requests and on
//     mail sent by rules and add-ins);
//  3. RFC 3834 §2: a responder answers only mail that names its recipient
//     in a recipient field; a mail whose To, Cc (and Resent-*) name no
//     address at all ("undisclosed-recipients:;", or none) went to every
//     recipient by Bcc, a mailing, and is not answered. A mail that names
//     others but not us is answered: it may have come through an alias
//     of the help desk (help@company forwarding to support@), which
//     deskgate cannot tell from a Bcc, and that sender expects an answer.
func (g *Guard) AutoAnswer(v Verdict, raw []byte) AutoAnswer {
	return g.AutoAnswerMail(v, mailparse.Read(raw))
}

// AutoAnswerMail is AutoAnswer of a mail read already by mailparse.Read.
func (g *Guard) AutoAnswerMail(v Verdict, parsed *mailparse.Mail) AutoAnswer {
	if v.Class != Human {
		return AutoAnswer{Reason: "not a person's mail (" + string(v.Class) + "): never auto-answered"}
	}
	hdr, _ := headerOf(parsed)
	for _, f := range hdr {
		if f.name != "x-auto-response-suppress" {
			continue
		}
		for _, tok := range strings.FieldsFunc(strings.ToLower(f.value), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' }) {
			if suppressValues[tok] {
				return AutoAnswer{Reason: "X-Auto-Response-Suppress: " + trimReason(f.value) + ": the sender asks not to be auto-answered"}
			}
		}
	}
	if !namesRecipient(hdr) {
		return AutoAnswer{Reason: "RFC 3834 §2: To and Cc name no recipient (undisclosed recipients: sent by Bcc): not auto-answered"}
	}
	r := "a person's mail, no request not to be auto-answered"
	if _, ok := hdr.lookup("x-auto-response-suppress"); ok {
		r += " (X-Auto-Response-Suppress names only receipts)"
	}
	return AutoAnswer{Allowed: true, Reason: r}
}

// namesRecipient reports whether a recipient field of hdr names at least
// one address (a group such as "undisclosed-recipients:;" names none).
func namesRecipient(hdr header) bool {
	for _, f := range hdr {
		if !slices.Contains(recipientFields, f.name) {
			continue
		}
		if list, err := netmail.ParseAddressList(f.value); err == nil {
			if len(list) > 0 {
				return true
			}
			continue
		}
		// Unparsable (a bare list, odd quoting, a group): anything that
		// looks like an address counts, so a broken field does not cost
		// the sender an answer.
		for _, w := range strings.FieldsFunc(f.value, func(r rune) bool { return strings.ContainsRune(" \t<>,;:\"'()", r) }) {
			if l, d, ok := strings.Cut(w, "@"); ok && l != "" && d != "" {
				return true
			}
		}
	}
	return false
}
