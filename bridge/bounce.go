package bridge

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// Inbound bounces (SPEC §5, §6): a delivery status notification (RFC 3464)
// or anything with the null reverse path sent to a bounce+TOKEN@ address
// is logged `bounce` and applied to the outbound email it names — by the
// VERP token, else by the Message-ID of the returned message — through
// the Bouncer (the outbound queue). A permanent failure (5.x.x, RFC 3463)
// also puts the failed address in its cooling period: no email goes to it
// for InboundConfig.BounceCooling (24 h by default, bridge/suppress.go),
// but only when the DSN came to the bounce address of an email that was
// sent to that very address (coolingRefused); otherwise the mail log's
// detail says why it was not applied.
// Delays (4.x.x, action "delayed") and successes are logged, not applied.

// bounceTx handles a bounce in the receiving transaction.
func (s *Inbound) bounceTx(tx BounceTx, in *inbound, p *prepared, rec *Receipt) error {
	ref := BounceRef{MessageID: p.a.DSN.OriginalMessageID}
	for _, r := range p.rcpts {
		if r.Kind == rcptBounce {
			ref.EmailID = r.Email
			break
		}
	}
	failed, delayed := dsnFailures(p.a.DSN.Recipients)
	var parts []string
	status, diag := "", ""
	switch {
	case len(failed) > 0:
		status, diag = failed[0].Status, failed[0].Diagnostic
		parts = append(parts, "DSN "+describeDSN(failed))
	case len(delayed) > 0:
		parts = append(parts, "DSN delayed "+describeDSN(delayed)+": nothing to apply")
	case len(p.a.DSN.Recipients) > 0:
		parts = append(parts, "DSN without failures ("+describeDSN(p.a.DSN.Recipients)+"): nothing to apply")
	default:
		status, diag = "5.0.0", "bounce without a readable delivery status: "+p.a.Reason
		parts = append(parts, "bounce without a readable DSN ("+p.a.Reason+")")
	}
	if status != "" {
		parts = append(parts, s.applyBounce(tx, ref, status, diag)...)
	}
	for _, r := range failed {
		if !strings.HasPrefix(r.Status, "5.") || r.Address == "" {
			continue
		}
		addr := store.NormalizeEmail(r.Address)
		if why := coolingRefused(tx, ref.EmailID, addr); why != "" {
			parts = append(parts, "not applied to "+addr+": "+why)
			continue
		}
		note, err := s.msgs.coolAddress(tx, r.Address, r.Status, p.now)
		if err != nil {
			return err
		}
		parts = append(parts, note)
	}
	return s.logTx(tx, p, rec, ReceiptEntry{Status: InBounce, Detail: strings.Join(parts, "; ")})
}

// coolingRefused says why a DSN's hard failure for addr must not put addr
// in its cooling period, or "" when it may: only a DSN that came to a
// valid bounce+TOKEN@ address (emailID) about an email deskgate sent to
// addr itself may. Anyone can write a DSN to support@ naming any address
// in Final-Recipient; without this rule one mail would stop deskgate from
// emailing fifty people for a day. (Our own deliveries' synchronous 5xx
// cool the address in the outbound queue.)
func coolingRefused(tx store.QueueTx, emailID uint64, addr string) string {
	if emailID == 0 {
		return "the DSN did not come to a bounce address, so it names no email deskgate sent"
	}
	o, err := tx.Outbound(emailID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Sprintf("outbound email %d does not exist", emailID)
	case err != nil:
		return fmt.Sprintf("outbound email %d could not be read: %v", emailID, err)
	case store.NormalizeEmail(o.Recipient) != addr:
		return fmt.Sprintf("outbound email %d went to %s, not to this address", emailID, store.NormalizeEmail(o.Recipient))
	}
	return ""
}

// applyBounce calls the Bouncer and says what it did.
func (s *Inbound) applyBounce(tx BounceTx, ref BounceRef, status, diag string) []string {
	what := "the outbound email"
	switch {
	case ref.EmailID != 0:
		what = fmt.Sprintf("outbound email %d", ref.EmailID)
	case ref.MessageID != "":
		what = fmt.Sprintf("the outbound email with Message-ID <%s>", ref.MessageID)
	}
	if s.bouncer == nil {
		return []string{"no outbound queue: " + what + " not marked"}
	}
	found, err := s.bouncer.Bounced(tx, ref, status, diag)
	switch {
	case err != nil:
		s.log.Error("applying a bounce", "email", ref.EmailID, "message_id", ref.MessageID, "err", err)
		return []string{what + " could not be marked: " + err.Error()}
	case found:
		return []string{what + " marked bounced"}
	}
	return []string{"no matching outbound email (" + what + ")"}
}

// dsnFailures splits DSN recipients into permanent/any failures and delays.
func dsnFailures(rs []DSNRecipient) (failed, delayed []DSNRecipient) {
	for _, r := range rs {
		action := strings.ToLower(r.Action)
		switch {
		case action == "failed" || strings.HasPrefix(r.Status, "5."):
			failed = append(failed, r)
		case action == "delayed" || strings.HasPrefix(r.Status, "4."):
			delayed = append(delayed, r)
		}
	}
	return failed, delayed
}

func describeDSN(rs []DSNRecipient) string {
	var out []string
	for _, r := range rs {
		s := r.Status
		if s == "" {
			s = r.Action
		}
		s += " for " + r.Address
		if r.Diagnostic != "" {
			s += " (" + r.Diagnostic + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
