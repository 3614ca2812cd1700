package bridge

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// EmailOutcome is what became of one outbound email, as the outbound queue
// reports it. The queue delivers and reports; what follows from an outcome
// (the mail log entry, the deliveries the email carries, cooling a bad
// mailbox) is decided here, in one place, for synchronous replies and DSNs
// alike (SPEC §5, §6).
type EmailOutcome struct {
	// State is the email's new state: store.OutboundSent, OutboundDeferred,
	// OutboundBounced or OutboundCancelled.
	State string
	// Detail says why, in words, for the mail log and the deliveries.
	Detail string
	// Enhanced is the RFC 3463 status code of a permanent refusal as the
	// upstream gave it ("" when none or not to be judged here, as for a
	// DSN, whose cooling the inbound side decides).
	Enhanced string
	// At is when it happened.
	At time.Time
}

// HardBounce reports whether an enhanced status code says the mailbox
// itself is bad (RFC 3463 5.1.x addressing, 5.2.1 mailbox disabled), as
// opposed to a policy or content refusal: only those cool the address.
func HardBounce(enhanced string) bool {
	return strings.HasPrefix(enhanced, "5.1.") || enhanced == "5.2.1"
}

// RecordEmailOutcome applies o to email rec (already stored in its new
// state) in tx: its mail log entry and the deliveries it still carries
// take the state and the detail, and a hard bounce puts the recipient in
// its cooling period. It returns the detail as recorded.
func (s *Messaging) RecordEmailOutcome(tx OutcomeTx, rec *store.OutboundEmail, o EmailOutcome) (string, error) {
	detail := o.Detail
	if o.State == store.OutboundCancelled {
		detail = "cancelled: " + detail
	}
	if o.State == store.OutboundBounced && HardBounce(o.Enhanced) {
		note, err := s.coolAddress(tx, rec.Recipient, o.Enhanced, o.At)
		if err != nil {
			return "", err
		}
		detail += "; " + note
	}
	if rec.Cause != "" { // which automation sent it (SPEC §9)
		detail += " (" + rec.Cause + ")"
	}
	delivery := map[string]string{store.OutboundSent: store.EmailSent, store.OutboundDeferred: store.EmailDeferred,
		store.OutboundBounced: store.EmailBounced, store.OutboundCancelled: store.EmailSkipped,
		store.OutboundCaptured: store.EmailCaptured}[o.State]
	if delivery == "" {
		return "", fmt.Errorf("email %d: unknown outcome %q", rec.ID, o.State)
	}
	if rec.MailLogID != 0 {
		err := tx.SetMailLogStatus(rec.MailLogID, o.State, detail, 0, 0)
		if err != nil && !errors.Is(err, store.ErrNotFound) { // pruned: nothing to mark
			return "", fmt.Errorf("mail log %d: %w", rec.MailLogID, err)
		}
	}
	ds, err := tx.EmailDeliveries(rec.ID)
	if err != nil {
		return "", fmt.Errorf("deliveries of email %d: %w", rec.ID, err)
	}
	for i := range ds {
		d := &ds[i]
		if d.OutboundID != rec.ID {
			continue // emailed again since by another email
		}
		d.EmailStatus, d.Detail = delivery, detail
		if err := tx.PutDelivery(d); err != nil {
			return "", err
		}
	}
	return detail, nil
}

// EmailSeen reports whether every delivery email id carries was seen in
// the app (and it carries any): then the email is cancelled before it
// leaves (SPEC §4).
func (s *Messaging) EmailSeen(tx store.NotificationsTx, id uint64) (bool, error) {
	ds, err := tx.EmailDeliveries(id)
	if err != nil || len(ds) == 0 {
		return false, err
	}
	for _, d := range ds {
		if d.SeenAt == nil {
			return false, nil
		}
	}
	return true, nil
}

// coolAddress puts addr in its cooling period after a hard bounce with
// status, and says so in words: no email to it until the period ends.
func (s *Messaging) coolAddress(tx store.GuardTx, addr, status string, now time.Time) (string, error) {
	until := now.Add(s.inb.in().cfg.BounceCooling)
	if err := tx.PutBouncedAddress(store.BouncedAddress{Address: addr, Status: status, At: now, Until: until}); err != nil {
		return "", err
	}
	return "hard bounce: no email to " + store.NormalizeEmail(addr) + " until " + until.UTC().Format(time.RFC3339), nil
}
