package store

// InboundReads is what an inbound mail's transaction reads first, and
// the ids of what it is about to create.
type InboundReads struct {
	// MessageIDs: the Message-ID index entries of the mail's Message-ID
	// (a duplicate?) and of those it answers (In-Reply-To, References).
	MessageIDs []string
	// Customers: the customers of these addresses (the sender).
	Customers []string
	// NewIDs are drawn ahead as IDReserver does.
	NewIDs NewIDs
}

// InboundPrefetcher is a Tx that reads ahead, in one statement, what an
// inbound mail's transaction reads first (PostgreSQL); MessageRef and
// CustomerByEmail then answer from what it read, and the creates take
// the ids it drew. A backend whose reads are local (bbolt) has no need
// of it.
type InboundPrefetcher interface {
	PrefetchInbound(r InboundReads) error
}

// PrefetchInbound reads ahead in tx when it can (InboundPrefetcher);
// nothing happens otherwise. It is a hint: reading other keys than
// prefetched, or creating other records, is correct.
func PrefetchInbound(tx any, r InboundReads) error {
	if p, ok := tx.(InboundPrefetcher); ok {
		return p.PrefetchInbound(r)
	}
	return nil
}
