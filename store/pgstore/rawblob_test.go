package pgstore

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestRawMessagesGoAsOneArgument: the raw messages of a transaction's
// blind writes (here a firing batch's 256 new mail log entries, and the
// raw messages of others replaced) reach the database as one bytea
// argument sliced per row, and read back as written: nil as none, empty
// as empty. Sent as a bytea[] of 256 raw messages of 2 KB, pgx encoded
// them element by element into a buffer it grew and copied a dozen times:
// the Go process allocated 6.1 times the raw bytes for the statement;
// now 3.4 (the blob, pgx's copy of its arguments, the message it sends).
func TestRawMessagesGoAsOneArgument(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 256
	raw := func(i int) []byte { return bytes.Repeat(fmt.Appendf(nil, "line %d of a raw message\r\n", i), 80) }
	w := &writes{}
	rawBytes := 0
	for i := range n {
		r := raw(i)
		switch i {
		case 0:
			r = []byte{}
		case 1:
			r = nil
		}
		rawBytes += len(r)
		w.logs = append(w.logs, logRow{id: int64(i + 1), at: int64(i), direction: "outbound", doc: []byte(`{}`), raw: r})
	}
	w.logUpds = map[int64]logUpd{3: {doc: []byte(`{"a":1}`), raw: []byte("replaced"), setRaw: true}}
	// One statement inserts the entries; a second replaces one's raw.
	second := &writes{logUpds: w.logUpds}
	w.logUpds = nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sql, args := w.statement()
	if _, err := s.Pool().Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	heap := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d raw bytes, %d bytes allocated (%.1f times)", rawBytes, heap, float64(heap)/float64(rawBytes))
	if heap > uint64(4*rawBytes) {
		t.Errorf("writing %d raw messages (%d bytes) allocated %d bytes, want at most 4 times the raw bytes", n, rawBytes, heap)
	}
	sql, args = second.statement()
	if _, err := s.Pool().Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}

	rows, err := s.Pool().Query(ctx, `SELECT id, raw FROM maillog ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var id int64
		var r []byte
		if err := rows.Scan(&id, &r); err != nil {
			t.Fatal(err)
		}
		i := int(id - 1)
		want := raw(i)
		switch i {
		case 0:
			want = []byte{}
		case 1:
			want = nil
		case 2:
			want = []byte("replaced")
		}
		if !bytes.Equal(r, want) || (r == nil) != (want == nil) {
			t.Errorf("entry %d: raw %q (nil: %v), want %q (nil: %v)", id, r[:min(len(r), 20)], r == nil, want[:min(len(want), 20)], want == nil)
		}
		got++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("%d entries, want %d", got, n)
	}
}
