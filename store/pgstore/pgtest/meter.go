package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// WALMeter measures the write-ahead log the test cluster writes, a cost
// per unit of work that no machine's load changes (unlike a latency): a
// benchmark on PostgreSQL reports it beside its timings. The cluster is
// shared by whatever runs against it meanwhile, so a benchmark measures
// alone.
type WALMeter struct {
	conn  *pgx.Conn
	start int64
}

// NewWALMeter connects to the test cluster (Require) and starts measuring.
func NewWALMeter(tb testing.TB) *WALMeter {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, Require(tb))
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvVar, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	m := &WALMeter{conn: conn}
	m.Restart(tb)
	return m
}

// Restart measures from now on.
func (m *WALMeter) Restart(tb testing.TB) {
	tb.Helper()
	m.start = m.position(tb)
}

// Bytes returns the WAL written since the start.
func (m *WALMeter) Bytes(tb testing.TB) int64 {
	tb.Helper()
	return m.position(tb) - m.start
}

func (m *WALMeter) position(tb testing.TB) int64 {
	tb.Helper()
	var lsn int64
	if err := m.conn.QueryRow(context.Background(), `SELECT (pg_current_wal_lsn() - '0/0')::bigint`).Scan(&lsn); err != nil {
		tb.Fatalf("WAL position: %v", err)
	}
	return lsn
}
