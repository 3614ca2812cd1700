package pgstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestCapProbeUsesItsIndexWithStaleStatistics: a firing batch's read of
// the outbound cap probes outbound_cap_pair once per (address,
// conversation), whatever the table's statistics say. The table grows by
// an entry per email sent; read while its statistics still said it was
// empty, a plain join hashed the whole table (9 ms a batch of 256 at
// 100,000 entries, against well under 1 ms probed).
func TestCapProbeUsesItsIndexWithStaleStatistics(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`ALTER TABLE outbound_cap SET (autovacuum_enabled = false)`,
		`INSERT INTO outbound_cap (address, conversation_id, at_ns) VALUES ('x@example.com', 1, 1)`,
		`ANALYZE outbound_cap`, // statistics: one row
		`INSERT INTO outbound_cap (address, conversation_id, at_ns)
			SELECT 'agent' || (i % 100) || '@support.test', i / 100, 1000 FROM generate_series(1, 50000) i`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var addrs []string
	var convs []int64
	for i := range 256 {
		addrs, convs = append(addrs, fmt.Sprintf("agent%d@support.test", i%100)), append(convs, int64(600+i))
	}
	rows, err := s.Pool().Query(ctx, `EXPLAIN `+capProbe, addrs, convs, int64(0))
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "Seq Scan on outbound_cap") || !strings.Contains(text, "outbound_cap_pair") {
		t.Fatalf("the cap read does not probe outbound_cap_pair per pair:\n%s", text)
	}
}
