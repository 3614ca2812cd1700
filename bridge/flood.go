package bridge

import (
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// floodKey is where a sender's accepted mails are counted in the outbound
// cap's ledger (conversation 0), when nodes share the store: a key no
// email address can be.
func floodKey(sender string) string { return "!flood " + sender }

// floodTx reports whether sender has had the flood limit's worth of mails
// within the window (SPEC §6), counting in tx so that every node sharing
// the store counts the same mails; an accepted mail is counted. Entries
// leave the ledger with the outbound cap's (OutboundCapWindow): a flood
// window longer than that counts at most that far back.
func (s *Inbound) floodTx(tx store.GuardTx, in *inbound, sender string) (bool, error) {
	now := s.clock.Now()
	n, _, err := tx.CountOutboundEmails(floodKey(sender), 0, now.Add(-in.cfg.FloodWindow))
	if err != nil {
		return false, fmt.Errorf("flood count: %w", err)
	}
	if n >= in.cfg.FloodLimit {
		return true, nil
	}
	if err := tx.RecordOutboundEmail(floodKey(sender), 0, now); err != nil {
		return false, fmt.Errorf("flood count: %w", err)
	}
	return false, nil
}
