package bridge

import (
	"context"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/mailerr"
	"github.com/deskgate/deskgate/store"
)

// Local parts deskgate accepts (SPEC §3).
const (
	// LocalSupport is the inbox: a new mail starts a new external
	// conversation in the default project.
	LocalSupport = "support"
	// LocalPostmaster must be accepted by every SMTP server (RFC 5321
	// §4.5.1); deskgate treats it like support.
	LocalPostmaster = "postmaster"
	// LocalNotifications is the From of the emails deskgate sends. A reply
	// sent to it instead of the Reply-To address is taken like one to
	// support, so its In-Reply-To still threads it (SPEC §3 rule 2).
	LocalNotifications = "notifications"
	replyPrefix        = "reply+"
	bouncePrefix       = "bounce+"
)

// Kinds of accepted recipients.
const (
	rcptInbox  = "inbox"
	rcptReply  = "reply"
	rcptBounce = "bounce"
)

// inboundRcpt is an accepted envelope recipient and what its address names.
type inboundRcpt struct {
	Addr  string
	Kind  string     // rcptInbox, rcptReply or rcptBounce
	Reply ReplyToken // for rcptReply
	Email uint64     // outbound email id, for rcptBounce
}

// CheckRecipient decides an RCPT TO (SPEC §3): nil, or a *mailerr.Error:
// 550 5.7.1 for a domain not ours (never an open relay), 550 5.1.1 for an
// unknown local part or a reply/bounce token that does not verify.
func (s *Inbound) CheckRecipient(ctx context.Context, addr string) error {
	r, err := s.resolveRecipient(addr)
	if err != nil {
		return err
	}
	if r.Kind == rcptReply {
		// The MAC verifies; the conversation must exist too.
		err := s.st.View(ctx, func(tx store.Tx) error {
			_, err := tx.Conversation(r.Reply.Conversation)
			return err
		})
		if err != nil {
			return mailerr.ErrNoSuchUser
		}
	}
	return nil
}

// ourLocalPart splits addr and reports its lower-cased local part when
// its domain is one of ours. ok is false for a domain not ours; bad for an
// address without a local part or a domain.
func (s *Addresses) ourLocalPart(addr string) (local string, ok, bad bool) {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", false, true
	}
	return addr[:at], slices.Contains(s.cfg.Domains, strings.TrimSuffix(addr[at+1:], ".")), false
}

// inboxLocal reports whether a local part is one of the inbox addresses.
func inboxLocal(local string) bool {
	return local == LocalSupport || local == LocalPostmaster || local == LocalNotifications
}

// resolveRecipient parses addr into what it names, without the store.
func (s *Inbound) resolveRecipient(addr string) (inboundRcpt, error) {
	lower, ours, bad := s.addrs.ourLocalPart(addr)
	switch {
	case bad:
		return inboundRcpt{}, mailerr.New(550, "5.1.3", "bad recipient address syntax")
	case !ours:
		return inboundRcpt{}, mailerr.ErrRelayDenied
	}
	r := inboundRcpt{Addr: strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))}
	switch {
	case inboxLocal(lower):
		r.Kind = rcptInbox
	case strings.HasPrefix(lower, replyPrefix):
		t, err := s.addrs.ParseReplyToken(lower[len(replyPrefix):])
		if err != nil {
			return inboundRcpt{}, mailerr.ErrNoSuchUser
		}
		r.Kind, r.Reply = rcptReply, t
	case strings.HasPrefix(lower, bouncePrefix):
		id, err := s.addrs.ParseBounceToken(lower[len(bouncePrefix):])
		if err != nil {
			return inboundRcpt{}, mailerr.ErrNoSuchUser
		}
		r.Kind, r.Email = rcptBounce, id
	default:
		return inboundRcpt{}, mailerr.ErrNoSuchUser
	}
	return r, nil
}

// reservedAddress reports whether addr is one of deskgate's own mail
// addresses (the inbox, postmaster, the From of its emails, reply and
// bounce addresses) on one of its domains. No user or customer may have
// one: deskgate would be emailing itself.
func (s *Addresses) reservedAddress(addr string) bool {
	local, ours, _ := s.ourLocalPart(addr)
	return ours && (inboxLocal(local) || strings.HasPrefix(local, replyPrefix) || strings.HasPrefix(local, bouncePrefix))
}
