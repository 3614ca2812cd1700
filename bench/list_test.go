package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
)

// BenchmarkListMessages1000: what GET /conversations/{id}/messages does
// for a conversation of 1,000 messages, without HTTP: the bridge reads
// them (access check included) and they are encoded as the JSON answer.
// webapi's BenchmarkListMessages1000 measures the same over HTTP, plus its
// test harness validating the 100 KB answer against the OpenAPI document.
func BenchmarkListMessages1000(b *testing.B) {
	h := newHelpdesk(b, b.TempDir(), 1, 1)
	defer h.st.Close()
	clock := clocktest.New(t0)
	svc := h.service(clock, &recordingOutbox{now: clock.Now}, 0)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := svc.Conversations.PostMessage(ctx, h.customer(0), h.convs[0], bridge.NewMessage{Body: fmt.Sprintf("message %d with some typical length of text in it", i)}); err != nil {
			b.Fatal(err)
		}
	}
	c := h.customer(0)
	for b.Loop() {
		// 50 lists per iteration, so one iteration (bench/run.sh) still
		// gives a p50 and a p99.
		var lat []time.Duration
		for range 50 {
			start := time.Now()
			ms, err := svc.Conversations.Messages(ctx, c, h.convs[0])
			if err != nil || len(ms) != 1000 {
				b.Fatalf("%d messages, %v", len(ms), err)
			}
			if data, err := json.Marshal(ms); err != nil || len(data) < 100000 {
				b.Fatalf("%d bytes, %v", len(data), err)
			}
			lat = append(lat, time.Since(start))
		}
		lat = sortedCopy(lat)
		b.ReportMetric(percentile(lat, 0.5), "list-p50-ms")
		b.ReportMetric(percentile(lat, 0.99), "list-p99-ms")
		b.ReportMetric(loadAvg(), "loadavg")
	}
}

// BenchmarkConversationList100k: the first page (50 rows) of the
// conversation list, the console's main view, for an agent who sees all of
// 100,000 conversations, without HTTP. The list reads conversations most
// recently active first from the store's activity index and stops once
// the page is full (before: every conversation record, then a sort).
// DESKGATE_TEST_BACKEND=postgres runs it on PostgreSQL.
func BenchmarkConversationList100k(b *testing.B) {
	const convs = 100_000
	h := newHelpdesk(b, b.TempDir(), 1, convs)
	defer h.st.Close()
	// Created a millisecond apart, as conversations are (newHelpdesk
	// gives them all t0; the list pages ties by id and reads them all).
	for from := 0; from < convs; from += 5000 {
		err := h.st.Update(context.Background(), func(tx store.Tx) error {
			for i := from; i < from+5000; i++ {
				c, err := tx.Conversation(h.convs[i])
				if err != nil {
					return err
				}
				c.CreatedAt = t0.Add(time.Duration(i-convs) * time.Millisecond)
				if err := tx.PutConversation(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	clock := clocktest.New(t0)
	svc := h.service(clock, &recordingOutbox{now: clock.Now}, time.Minute)
	agent := bridge.Caller{Kind: store.KindUser, ID: h.users[0], Role: store.RoleAgent}
	ctx := context.Background()
	for b.Loop() {
		var lat []time.Duration
		for range 20 {
			t := time.Now()
			rows, next, err := svc.Conversations.ConversationRows(ctx, agent, bridge.ListQuery{Limit: 50})
			if err != nil || len(rows) != 50 || next == nil {
				b.Fatalf("%d rows, next %v, %v", len(rows), next, err)
			}
			lat = append(lat, time.Since(t))
		}
		lat = sortedCopy(lat)
		b.ReportMetric(percentile(lat, 0.5), "page-p50-ms")
		b.ReportMetric(percentile(lat, 0.99), "page-p99-ms")
		b.ReportMetric(loadAvg(), "loadavg")
	}
}
