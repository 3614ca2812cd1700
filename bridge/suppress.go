package bridge

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// The outbound cap (SPEC §6): whatever the configuration, one address gets at most
// OutboundCapLimit emails about one conversation within OutboundCapWindow. With the
// one-minute unseen rule a busy conversation emails each recipient at most once a
// minute; the cap stops even that from becoming an unbounded exchange (two
// deskgates, or a deskgate and an auto-responder the loop guard missed, answering
// each other). The count lives in the store, so a restart does not reset it.
const (
	OutboundCapLimit  = 20
	OutboundCapWindow = time.Hour
	// outCapPruneBatch is how many expired ledger entries each queued email prunes.
	outCapPruneBatch = 16
)

// suppressed says why email e must not be sent now, or "" when it may: the
// recipient's address hard-bounced within the cooling period, or it has had the
// outbound cap's worth of emails about this conversation within the window.
func (s *Messaging) suppressed(tx store.GuardTx, e *Email, now time.Time) (string, error) {
	b, ok, err := tx.BouncedAddress(e.Recipient.Email)
	if err != nil {
		return "", err
	}
	if ok && now.Before(b.Until) {
		return "address hard-bounced (" + b.Status + "), not emailed until " + b.Until.Format(time.RFC3339), nil
	}
	n, oldest, err := tx.CountOutboundEmails(e.Recipient.Email, e.Conversation.ID, now.Add(-OutboundCapWindow))
	if err != nil {
		return "", err
	}
	if n >= OutboundCapLimit {
		return fmt.Sprintf("outbound cap: %d emails about conversation %d to %s within %s (limit %d), not emailed before %s",
			n, e.Conversation.ID, e.Recipient.Email, OutboundCapWindow, OutboundCapLimit,
			oldest.Add(OutboundCapWindow).UTC().Format(time.RFC3339)), nil
	}
	return "", nil
}

// recordSent counts an email just queued towards the outbound cap and prunes a few
// ledger entries that left the window.
func (s *Messaging) recordSent(tx store.GuardTx, e *Email, now time.Time) error {
	if err := tx.RecordOutboundEmail(e.Recipient.Email, e.Conversation.ID, now); err != nil {
		return fmt.Errorf("record outbound email: %w", err)
	}
	if _, err := tx.PruneOutboundEmails(now.Add(-s.inb.LedgerWindow()), outCapPruneBatch); err != nil {
		return fmt.Errorf("prune outbound cap: %w", err)
	}
	return nil
}
