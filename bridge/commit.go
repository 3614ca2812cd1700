package bridge

import "github.com/deskgate/deskgate/store"

// commit runs fn in a committed write transaction through the domain's
// group committer (groupcommit.go): alone when no other write is waiting,
// so a lone post does not wait for a batch to fill, and together with the
// writes that queued meanwhile, so concurrent posts and inbound mails share
// one commit (two fsyncs) and the store keeps up with 1,000 messages/s. fn
// may run more than once (its group failed and each is retried alone): it
// must set its results afresh and allocate ids inside the transaction.
func (s *Service) commit(fn func(*store.Tx) error) error { return s.writes.do(fn) }
