package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// MaxMailLogPage bounds one page of the mail log.
const MaxMailLogPage = 500

// MailLogQuery selects mail log entries (SPEC §6), newest first.
type MailLogQuery struct {
	Direction string // store.DirInbound, store.DirOutbound or "" for both
	BeforeID  uint64 // paging: only entries with a smaller id
	Limit     int    // 1..MaxMailLogPage; 0 means 100
}

// MailLog returns mail log entries, newest first (entries older than the
// log retention are pruned by `deskgate serve`).
// Only admins may read it: it shows every address and subject.
func (s *Inbound) MailLog(ctx context.Context, c Caller, q MailLogQuery) ([]store.MailLogEntry, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may read the mail log")
	}
	switch {
	case q.Direction != "" && q.Direction != store.DirInbound && q.Direction != store.DirOutbound:
		return nil, errorf(KindInvalid, "direction: must be inbound or outbound")
	case q.Limit < 0 || q.Limit > MaxMailLogPage:
		return nil, errorf(KindInvalid, "limit: must be between 1 and %d", MaxMailLogPage)
	}
	sq := store.MailLogQuery{Direction: q.Direction, BeforeID: q.BeforeID, Limit: q.Limit}
	var out []store.MailLogEntry
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListMailLog(sq)
		return err
	})
	if out == nil {
		out = []store.MailLogEntry{}
	}
	return out, storeErr(err, "mail log")
}

// MailLogRaw returns the raw message of mail log entry id (admins only).
func (s *Inbound) MailLogRaw(ctx context.Context, c Caller, id uint64) ([]byte, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may read the mail log")
	}
	var raw []byte
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		raw, err = tx.MailLogRaw(id)
		return err
	})
	if err != nil {
		return nil, storeErr(err, "raw message of mail log entry")
	}
	return raw, nil
}
