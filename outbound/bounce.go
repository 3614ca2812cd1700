package outbound

import (
	"errors"
	"strings"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Bounced applies a DSN (RFC 3464) to the outbound email it names, by its
// bounce token's id or else by its Message-ID (bridge.Bouncer): the email,
// its mail log entry and its deliveries become bounced, in the caller's
// transaction. A sent email may bounce later; a pending one stops being
// retried. It reports whether it found the email.
func (q *Queue) Bounced(tx bridge.BounceTx, ref bridge.BounceRef, status, detail string) (bool, error) {
	var rec *store.OutboundEmail
	err := store.ErrNotFound
	if ref.EmailID != 0 {
		rec, err = tx.Outbound(ref.EmailID)
	}
	if errors.Is(err, store.ErrNotFound) && ref.MessageID != "" {
		rec, err = tx.OutboundByMessageID(cleanID(ref.MessageID))
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	text := strings.TrimSpace("DSN " + status + " " + oneLine(detail))
	rec.State, rec.DoneAt, rec.LastResult = store.OutboundBounced, q.opts.Clock.Now(), text
	if err := tx.PutOutbound(rec, nil); err != nil {
		return false, err
	}
	// The DSN's cooling is the inbound side's decision (bridge/bounce.go).
	if _, err := q.opts.Outcomes.RecordEmailOutcome(tx, rec, bridge.EmailOutcome{State: store.OutboundBounced, Detail: "bounced: " + text, At: rec.DoneAt}); err != nil {
		return false, err
	}
	return true, nil
}
