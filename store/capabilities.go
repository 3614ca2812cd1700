package store

import (
	"context"
	"io"
	"log/slog"
)

// Optional capabilities. A backend implements the ones it has; a caller
// asks for one by asserting the interface on the Store that Open returned
// (never on a concrete backend type) and does without, or does the work
// another way, when it is absent. Copier (copy.go) and Secrets
// (secrets.go) are capabilities too.

// MailLogBounder is a store that bounds its mail log itself, on every new
// entry, to maxBytes (0: no bound), telling onEvict after each commit that
// evicted how many entries went. Without it the caller bounds the mail log
// now and then with MailLogTx.EvictMailLog. Call it before the store is
// shared.
type MailLogBounder interface {
	SetMailLogLimit(maxBytes int64, onEvict func(n int))
}

// Backuper is a store that writes a consistent copy of itself while it
// serves: begin is told the copy's size before any byte and returns where
// to write it. Backup returns the bytes written. A store without it is
// backed up with its database's own tools (pg_dump).
type Backuper interface {
	Backup(begin func(size int64) (io.Writer, error)) (int64, error)
}

// EventBus is a store that several nodes share and that carries word of
// new messages between them (SPEC §8: SSE clients of any node see every
// node's messages). A store only one process opens has no other node to
// tell, and does not implement it.
type EventBus interface {
	// NodeEvents returns the events of the node named node.
	NodeEvents(node string, log *slog.Logger) NodeEvents
}

// NodeEvents announces this node's new messages to the other nodes and
// hears theirs. An announcement is a wake-up naming message ids: the
// hearing node reads what it shows from the store.
type NodeEvents interface {
	// Announce tells the other nodes that messages were committed. A
	// failure is logged: the messages are stored all the same.
	Announce(ctx context.Context, messageIDs []uint64)
	// Listen calls fn with the message ids other nodes announce, until
	// ctx ends.
	Listen(ctx context.Context, fn func(messageIDs []uint64))
}

// RetryCounter is a store that may run a write transaction again (a
// deadlock, a stale cached record) and counts how often it did (the store
// retries metric).
type RetryCounter interface {
	Retries() uint64
}

// Migrator is a store with a versioned schema that Open migrates; its
// SchemaVersion is the version it is at (`deskgate migrate` prints it).
type Migrator interface {
	SchemaVersion() int
}

// ParallelWriter is a store whose write transactions run side by side
// (PostgreSQL: each on its own connection, row locks keeping them apart).
// The timer loop then fires that many batches at once: while one batch's
// transaction waits on the database, another builds its emails. A store
// without it (bbolt: one writer at a time) fires one batch after the
// other.
type ParallelWriter interface {
	// ParallelWrites is how many write transactions do well at once.
	ParallelWrites() int
}
