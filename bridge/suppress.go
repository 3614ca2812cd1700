package bridge

import (
	"time"

	"github.com/deskgate/deskgate/store"
)

// suppressed says why email e must not be sent now, or "" when it may:
// the recipient's address hard-bounced within the cooling period.
func (s *Service) suppressed(tx *store.Tx, e *Email, now time.Time) string {
	if b, ok := tx.BouncedAddress(e.Recipient.Email); ok && now.Before(b.Until) {
		return "address hard-bounced (" + b.Status + "), not emailed until " + b.Until.Format(time.RFC3339)
	}
	return ""
}
