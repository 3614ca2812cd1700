package pgstore

// parallelWrites is how many write transactions of one kind (a batch of
// timers firing) do well at once: each runs on its own connection, and
// while one waits on the database (a round trip, its commit's fsync) the
// others build their writes. More than a few only queue on the
// database's cores and its WAL lock.
const parallelWrites = 4

// ParallelWrites is how many write transactions do well side by side
// (store.ParallelWriter): the timer loop fires that many batches at once,
// row locks (FOR UPDATE SKIP LOCKED) keeping their timers apart.
func (s *Store) ParallelWrites() int { return parallelWrites }
