package pgstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestConversationColumnsMigrateExistingRows: a database at migration
// 0070 with conversations in it (with and without a message, at fractions
// of a microsecond, in another time zone) gets their item and activity
// columns filled by migrations 0100 and 0101, so its conversations are
// found by item and listed by activity as new ones are.
func TestConversationColumnsMigrateExistingRows(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewSchema(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version > 70 {
			break
		}
		if _, err := pool.Exec(ctx, m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	for _, doc := range []string{
		`{"id": 1, "item_id": 4, "kind": "internal", "created_at": "2026-12-01T09:00:00.0000009Z"}`,
		`{"id": 2, "item_id": 5, "kind": "external", "created_at": "2026-12-01T08:00:00Z", "last_message_at": "2026-12-01T11:30:00.000002+01:00"}`,
		`{"id": 3, "item_id": 4, "kind": "external", "created_at": "2026-12-01T09:00:00.000001Z"}`,
	} {
		if _, err := pool.Exec(ctx, `INSERT INTO conversations (id, data) VALUES (($1::jsonb->>'id')::bigint, $1::jsonb)`, doc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `SELECT setval('conversations_id_seq', 3)`); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, url) // applies 0100 and 0101
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx store.Tx) error {
		var ids []uint64
		for _, c := range must(tx.ItemConversations(4)) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []uint64{1, 3}) {
			t.Errorf("item 4's conversations after the migration: %v, want [1 3]", ids)
		}
		ids = nil
		for _, c := range must(tx.ConversationsByActivity(nil, 10)) {
			ids = append(ids, c.ID)
		}
		// 2: 10:30:00.000002 UTC; 3: 09:00:00.000001; 1: 09:00:00.0000009,
		// to the microsecond 09:00:00.000000 or .000001 (a tie with 3: the
		// higher id first either way).
		if !slices.Equal(ids, []uint64{2, 3, 1}) {
			t.Errorf("conversations by activity after the migration: %v, want [2 3 1]", ids)
		}
		return nil
	})
	var activity int64
	if err := pool.QueryRow(ctx, `SELECT activity_us FROM conversations WHERE id = 2`).Scan(&activity); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 10, 30, 0, 2000, time.UTC).UnixMicro(); activity != want {
		t.Errorf("activity_us of a conversation with a message: %d, want %d (its last message, in UTC)", activity, want)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
