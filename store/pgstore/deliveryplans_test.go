package pgstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// statementLog is a pgx tracer keeping the statements that read deliveries.
type statementLog struct {
	mu   sync.Mutex
	on   bool
	re   *regexp.Regexp // the statements kept; nil: readsDeliveries
	sqls []string
	args [][]any
}

var readsDeliveries = regexp.MustCompile(`(?i)\b(FROM|JOIN)\s+deliveries\b`)

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	re := l.re
	if re == nil {
		re = readsDeliveries
	}
	if l.on && re.MatchString(d.SQL) {
		l.sqls, l.args = append(l.sqls, d.SQL), append(l.args, d.Args)
	}
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestDeliveryReadsUseTheirIndexes: every read of deliveries (a
// recipient's inbox, all or unseen, in one conversation or all, the newest
// per conversation; the unseen counts; a message's deliveries; a firing
// batch's unseen deliveries) probes deliveries_inbox or the primary key,
// on a table of 105,000 deliveries, with its statistics stale (analyzed
// with one row) and fresh. Migration 0070 dropped deliveries_unseen (the
// same columns WHERE NOT seen), so the unseen reads must find their rows
// through deliveries_inbox, which carries seen.
func TestDeliveryReadsUseTheirIndexes(t *testing.T) {
	ctx := context.Background()
	log := &statementLog{}
	s, err := Open(ctx, pgtest.NewSchema(t), WithTracer(log))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const doc = `jsonb_build_object('message_id', m, 'conversation_id', c, 'recipient', jsonb_build_object('type', 'user', 'id', r),
		'notified_at', '2026-12-07T09:43:15Z', 'seen_at', null, 'email_status', 'pending', 'emailed_at', null, 'detail', '')`
	for _, q := range []string{
		`ALTER TABLE deliveries SET (autovacuum_enabled = false)`,
		`INSERT INTO deliveries VALUES (1, 'u', 1, 1, false, '{}')`,
		`ANALYZE deliveries`, // statistics: one row
		// User 7: 5,000 deliveries in 500 conversations, one in 50 unseen.
		`INSERT INTO deliveries SELECT m, 'u', r, c, g % 50 <> 0, ` + doc + `
			FROM generate_series(1, 5000) g, LATERAL (SELECT 1000000 + g AS m, 7 AS r, g / 10 AS c) x`,
		// 2,000 messages delivered to 50 other users each, unseen.
		`INSERT INTO deliveries SELECT m, 'u', r, c, false, ` + doc + `
			FROM generate_series(1, 2000) g, generate_series(100, 149) r, LATERAL (SELECT 2000000 + g AS m, 1000 + g AS c) x`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	r := store.Recipient{Type: store.KindUser, ID: 7}
	reads := func() {
		log.mu.Lock()
		log.on, log.sqls, log.args = true, nil, nil
		log.mu.Unlock()
		err := s.View(ctx, func(tx store.Tx) error {
			for _, q := range []store.InboxQuery{
				{}, {After: 1002000}, {Conversation: 30}, {UnseenOnly: true},
				{Conversation: 30, UpTo: 1000305, UnseenOnly: true}, {Last: 1},
			} {
				if _, err := tx.Inbox(r, q); err != nil {
					return err
				}
			}
			if _, err := tx.UnseenCount(r, 30); err != nil {
				return err
			}
			if _, err := tx.UnseenCounts(r); err != nil {
				return err
			}
			if _, err := tx.Delivery(1000300, r); err != nil {
				return err
			}
			_, err := tx.Deliveries(2000010)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		log.mu.Lock()
		log.on = false
		log.mu.Unlock()
		var conv, rid []int64
		var rt []string
		for i := range 256 {
			conv, rt, rid = append(conv, int64(1000+i*7)), append(rt, "u"), append(rid, int64(100+i%50))
		}
		log.sqls, log.args = append(log.sqls, batchInboxRead), append(log.args, []any{conv, rt, rid})
	}
	check := func(stats string) {
		t.Helper()
		if len(log.sqls) < 11 {
			t.Fatalf("%s: %d reads of deliveries traced, want 11:\n%s", stats, len(log.sqls), strings.Join(log.sqls, "\n"))
		}
		for i, sql := range log.sqls {
			plan := explain(t, s, sql, log.args[i])
			if strings.Contains(plan, "Seq Scan on deliveries") ||
				!(strings.Contains(plan, "deliveries_inbox") || strings.Contains(plan, "deliveries_pkey")) {
				t.Errorf("%s: a read of deliveries does not use an index:\n%s\n%s", stats, sql, plan)
			}
		}
	}
	reads()
	check("stale statistics")
	if _, err := s.Pool().Exec(ctx, `ANALYZE deliveries`); err != nil {
		t.Fatal(err)
	}
	reads()
	check("fresh statistics")
}

func explain(t *testing.T, s *Store, sql string, args []any) string {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", sql, err)
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
	return fmt.Sprint(strings.Join(plan, "\n"))
}
