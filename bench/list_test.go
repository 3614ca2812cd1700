package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
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
