package loopguard

import (
	netmail "net/mail"
	"slices"
	"strings"
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

// addressedFields are the header fields that name a mail's recipients
// explicitly (RFC 3834 §2; Resent-* for a mail redirected on purpose).
var addressedFields = []string{"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"}

// AutoAnswer decides whether an automatic answer may go to the sender of
// raw, which Classify judged v. rcpts are the addresses the mail was
// delivered to (its accepted SMTP RCPT TO); nil when unknown (an IMAP
// mailbox, `deskgate inspect` without --rcpt), which skips the rule that
// needs them. In order:
//  1. mail that is not a person's is never answered (RFC 3834 §2: no answer
//     to automatic mail, bounces, lists);
//  2. X-Auto-Response-Suppress with All, OOF or AutoReply: the sender asks
//     not to be auto-answered (Outlook sets it on meeting requests and on
//     mail sent by rules and add-ins);
//  3. RFC 3834 §2: a group responder (a help desk is one, RFC 3834 §1.1)
//     answers only mail on which an address it was delivered to appears
//     in a recipient field; a Bcc, or a copy passed on by an alias or a
//     forward, is not answered.
func (g *Guard) AutoAnswer(v Verdict, raw []byte, rcpts []string) AutoAnswer {
	if v.Class != Human {
		return AutoAnswer{Reason: "not a person's mail (" + string(v.Class) + "): never auto-answered"}
	}
	hdr, _ := splitMessage(stripMboxLine(raw))
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
	if len(rcpts) > 0 && !addressed(hdr, rcpts) {
		return AutoAnswer{Reason: "RFC 3834 §2: no address it was delivered to (" + trimReason(strings.Join(rcpts, ", ")) +
			") is in To or Cc (a Bcc, or passed on by an alias or forward): not auto-answered"}
	}
	r := "a person's mail, no request not to be auto-answered"
	if _, ok := hdr.lookup("x-auto-response-suppress"); ok {
		r += " (X-Auto-Response-Suppress names only receipts)"
	}
	return AutoAnswer{Allowed: true, Reason: r}
}

// addressed reports whether one of rcpts appears in a recipient field of hdr.
func addressed(hdr header, rcpts []string) bool {
	want := map[string]bool{}
	for _, r := range rcpts {
		want[strings.ToLower(strings.Trim(strings.TrimSpace(r), "<>"))] = true
	}
	for _, f := range hdr {
		if !slices.Contains(addressedFields, f.name) {
			continue
		}
		if list, err := netmail.ParseAddressList(f.value); err == nil {
			for _, a := range list {
				if want[strings.ToLower(a.Address)] {
					return true
				}
			}
			continue
		}
		// Unparsable (a bare list, odd quoting): look for the address as a
		// whole word, so a broken field does not cost the sender an answer.
		v := strings.ToLower(f.value)
		for r := range want {
			for off := 0; off < len(v); {
				i := strings.Index(v[off:], r)
				if i < 0 {
					break
				}
				if i += off; boundary(v, i-1) && boundary(v, i+len(r)) {
					return true
				}
				off = i + 1
			}
		}
	}
	return false
}

// boundary reports whether v[i] is outside v or a character that cannot be
// part of an address.
func boundary(v string, i int) bool {
	return i < 0 || i >= len(v) || strings.IndexByte(" \t<>,;:\"'()", v[i]) >= 0
}
