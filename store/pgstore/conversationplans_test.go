package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// TestConversationReadsUseTheirIndexes: an item's conversations (read by
// every automation that posts into one or emails an item's customers) are
// found through conversations_item, and a chunk of the conversation list
// (most recently active first) through conversations_activity, not by
// reading every conversation: on 20,000 conversations, with statistics
// stale (one row) and fresh.
func TestConversationReadsUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`ALTER TABLE conversations SET (autovacuum_enabled = false)`,
		`INSERT INTO conversations (id, data, item_id, activity_us) VALUES (1, '{"id": 1, "item_id": 1, "kind": "internal"}', 1, 1)`,
		`ANALYZE conversations`,
		`INSERT INTO conversations (id, data, item_id, activity_us) SELECT g, jsonb_build_object('id', g, 'item_id', g / 2, 'kind', 'external', 'subject', 'a subject',
			'followers', '[1, 2, 3]'::jsonb, 'customer_ids', '[4]'::jsonb), g / 2, 1700000000000000 + g * 7919 % 20000 FROM generate_series(2, 20000) g`,
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
		plan = explain(t, s, `SELECT data FROM conversations ORDER BY activity_us DESC, id DESC LIMIT $1`, []any{128})
		if !strings.Contains(plan, "Index Scan Backward using conversations_activity") {
			t.Errorf("%s statistics: the conversation list's first chunk is not read backwards through conversations_activity:\n%s", stats, plan)
		}
		plan = explain(t, s, conversationsAfterSQL, []any{int64(1700000000010000), int64(77), 128})
		if !strings.Contains(plan, "Index Scan Backward using conversations_activity") {
			t.Errorf("%s statistics: a page of the conversation list is not read backwards through conversations_activity:\n%s", stats, plan)
		}
	}
}
