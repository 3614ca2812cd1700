package bridge

import "github.com/deskgate/deskgate/store"

// commit runs fn in a committed write transaction, choosing how: alone
// (store.Update) when no other API write is in progress, so a lone post
// does not wait for a batch to fill, and with group commit (store.Batch)
// when others are, so concurrent posts share one commit (two fsyncs) and
// the store keeps up with 1,000 messages/s. fn may run more than once
// (Batch retries): it must set its results afresh and allocate ids inside
// the transaction.
func (s *Service) commit(fn func(*store.Tx) error) error {
	n := s.writers.Add(1)
	defer s.writers.Add(-1)
	if n == 1 {
		return s.st.Update(fn)
	}
	return s.st.Batch(fn)
}
