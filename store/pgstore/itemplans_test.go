package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestItemConversationsUseTheirIndex: an item's conversations (read by
// every automation that posts into one or emails an item's customers) are
// found through conversations_item, not by reading every conversation: on
// 20,000 conversations, with statistics stale (one row) and fresh.
func TestItemConversationsUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`ALTER TABLE conversations SET (autovacuum_enabled = false)`,
		`INSERT INTO conversations (id, data, item_id) VALUES (1, '{"id": 1, "item_id": 1, "kind": "internal"}', 1)`,
		`ANALYZE conversations`,
		`INSERT INTO conversations (id, data, item_id) SELECT g, jsonb_build_object('id', g, 'item_id', g / 2, 'kind', 'external', 'subject', 'a subject',
			'followers', '[1, 2, 3]'::jsonb, 'customer_ids', '[4]'::jsonb), g / 2 FROM generate_series(2, 20000) g`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, stats := range []string{"stale", "fresh"} {
		if stats == "fresh" {
			if _, err := s.Pool().Exec(ctx, `ANALYZE conversations`); err != nil {
				t.Fatal(err)
			}
		}
		plan := explain(t, s, itemConversationsSQL, []any{int64(4321)})
		if !strings.Contains(plan, "conversations_item") {
			t.Errorf("%s statistics: an item's conversations are not read through conversations_item:\n%s", stats, plan)
		}
	}
}
