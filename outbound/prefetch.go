package outbound

import "github.com/deskgate/deskgate/store"

// prefetcher is a transaction that reads many outbound emails (and their
// raw messages) in one round trip: PostgreSQL's, where reading them one by
// one costs a statement each. bbolt's reads are local and lack it.
type prefetcher interface {
	PrefetchOutbound(ids []uint64) error
}

// prefetch reads ids in one go when tx can; the calls that follow read
// them from memory.
func prefetch(tx store.Tx, ids []uint64) error {
	if p, ok := tx.(prefetcher); ok && len(ids) > 1 {
		return p.PrefetchOutbound(ids)
	}
	return nil
}
