package bridge

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/loopguard"
	"github.com/deskgate/deskgate/store"
)

// People a customer copies. When a customer's mail to support (a new
// conversation, or a reply in an external conversation they belong to)
// has colleagues in Cc, those addresses join the conversation as its
// customers: they receive the replies under the one-minute rule (SPEC §4:
// customers of C receive external messages by users, the bot and C's
// other customers; not the one that brought them in, which they have), and
// their reply-all, which names the customer's Message-ID, threads into
// the same conversation (rule 2: they are participants now).
//
// Only a mail that starts a conversation, or comes into one by its reply
// token or by a Message-ID of the thread (rules 1 and 2), brings people in:
// a subject tag [#id] is guessable, and a forged From with a guessed tag
// must not add the forger's address to someone else's conversation and so
// receive its replies. Nor does a mail whose sender is unverified (its
// From fails DMARC, or it came by another's reply token: SPEC §12): it is
// nobody's proof of identity.
// When the sender checks run, the From must also be authenticated (an
// SPF or DKIM pass aligned with its domain, even where the domain
// publishes no DMARC record): otherwise anyone on port 25 could write as
// an address of such a domain and put strangers on the reply list of a
// conversation, so that the staff's answers (DKIM-signed by us) reach them.
//
// Never joined: our own addresses (any address on our domains or host
// name), staff users (a user is never a customer), the author, addresses
// that read no mail (no-reply, MAILER-DAEMON, a list manager's owner-,
// -request and -bounces addresses), and more than maxCcJoin
// addresses of one mail (a mail with a hundred Cc is a mailing, not a
// team). InboundConfig.IgnoreCc (DESKGATE_CC_JOIN=false) turns it off.

// maxCcJoin bounds how many Cc addresses of one mail join a conversation.
const maxCcJoin = 20

// joinCcTx adds the Cc'd addresses of the mail to conv's customers and
// returns, in words for the mail log, who joined ("" when nobody did).
// A non-empty noCc says why nobody may join from this mail (threaded by
// the subject tag alone, an unverified sender): see the comment above.
func (s *Inbound) joinCcTx(tx store.PeopleTx, p *prepared, au mailAuthor, conv *store.Conversation, noCc string) (string, error) {
	if s.in().cfg.IgnoreCc || au.Type != store.AuthorCustomer || conv.Kind != store.KindExternal ||
		!slices.Contains(conv.CustomerIDs, au.ID) || p.a.Message == nil || len(p.a.Message.Cc) == 0 {
		return "", nil
	}
	if noCc != "" {
		return "Cc not joined: " + noCc, nil
	}
	var joined, skipped []string
	seen := map[string]bool{au.Email: true}
	for _, a := range p.a.Message.Cc {
		addr := store.NormalizeEmail(a.Email)
		if addr == "" || seen[addr] {
			continue
		}
		seen[addr] = true
		if _, err := tx.UserByEmail(addr); err == nil {
			skipped = append(skipped, fmt.Sprintf("<%s> is staff", addr))
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if why := s.notCcCustomer(addr); why != "" {
			skipped = append(skipped, fmt.Sprintf("<%s> %s", addr, why))
			continue
		}
		if len(joined) == maxCcJoin {
			skipped = append(skipped, fmt.Sprintf("more than %d Cc addresses: the rest not joined", maxCcJoin))
			break
		}
		c, err := tx.CustomerByEmail(addr)
		if errors.Is(err, store.ErrNotFound) {
			c = &store.Customer{Email: addr, Name: strings.TrimSpace(a.Name), CreatedAt: p.now}
			err = tx.CreateCustomer(c)
		}
		if err != nil {
			return "", err
		}
		var added bool
		if conv.CustomerIDs, added = store.AddUnique(conv.CustomerIDs, c.ID); added {
			joined = append(joined, "<"+addr+">")
		}
	}
	var parts []string
	if len(joined) > 0 {
		parts = append(parts, "Cc "+strings.Join(joined, ", ")+" joined as customers")
	}
	if len(skipped) > 0 {
		parts = append(parts, "Cc not joined: "+strings.Join(skipped, "; "))
	}
	return strings.Join(parts, "; "), nil
}

// notCcCustomer says why a Cc address may not join, "" when it may.
func (s *Inbound) notCcCustomer(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(addr, " \t<>\"") {
		return "is not a usable address"
	}
	domain = strings.TrimSuffix(domain, ".")
	if slices.Contains(s.cfg.Domains, domain) || strings.EqualFold(domain, s.cfg.Hostname) {
		return "is our own address"
	}
	if why := loopguard.SystemAddress(addr); why != "" {
		return why
	}
	flat := strings.NewReplacer("-", "", "_", "", ".", "").Replace(local)
	if strings.Contains(flat, "noreply") || strings.Contains(flat, "donotreply") {
		return "reads no mail"
	}
	return ""
}
