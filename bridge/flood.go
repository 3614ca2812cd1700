package bridge

import (
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
)

// floodKey is where a sender's accepted mails are counted in the outbound
// cap's ledger (conversation 0): a key no email address can be.
func floodKey(sender string) string { return "!flood " + sender }

// floodTx reports whether sender has had the flood limit's worth of mails
// within the window (SPEC §6), counting in tx on every backend, so that
// every node sharing the store counts the same mails and a restart keeps
// the count; an accepted mail is counted, a suppressed one is not. The
// entries stay in the ledger for LedgerWindow: serve's pruning loop
// removes older ones, so a mail pays no prune of its own.
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

// LedgerWindow is how long the outbound cap's ledger keeps an entry: the
// cap's window, or the flood window when that is longer (the flood limit
// counts in the same ledger).
func (s *Inbound) LedgerWindow() time.Duration {
	return max(OutboundCapWindow, s.in().cfg.FloodWindow)
}
