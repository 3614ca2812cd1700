package bridge

// SetEagerGroupCommit switches Receive between store.Batch and the eager
// group commit (for benchmarks comparing them).
func SetEagerGroupCommit(s *Service, on bool) { s.in().eager = on }
