package bench

import (
	"context"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/store/storetest"
)

// BenchmarkOverdue100k: 100,000 pending unseen-email timers (100 users
// following 1,000 conversations, one customer message each), then the
// clock passes their due time: how soon the first fires and how long all
// take. Unlike BenchmarkRestartWith100kPending (which copies the bbolt
// file) it runs on any backend: DESKGATE_TEST_BACKEND=postgres measures
// timers on PostgreSQL.
func BenchmarkOverdue100k(b *testing.B) {
	for b.Loop() {
		h := newHelpdesk(b, b.TempDir(), benchUsers, benchConvs)
		clock := clocktest.New(t0)
		out := &recordingOutbox{delay: time.Minute, now: time.Now}
		svc := h.service(clock, out, time.Minute)
		h.postEach(b, svc)
		if n := timerCount(b, h.st); n != pending {
			b.Fatalf("%d timers pending, want %d", n, pending)
		}
		clock.Advance(2 * time.Minute)
		var wal *pgtest.WALMeter
		if storetest.Postgres() {
			wal = pgtest.NewWALMeter(b)
		}
		self0, pg0 := cpuTimes()
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Notifications.RunTimers(ctx) }()
		deadline := time.Now().Add(20 * time.Minute)
		for n, _ := out.committed(); n < pending; n, _ = out.committed() {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d overdue timers fired in 20 minutes", n, pending)
			}
			time.Sleep(10 * time.Millisecond)
		}
		all := time.Since(start)
		self1, pg1 := cpuTimes()
		if wal != nil { // what firing a timer writes, whatever the load
			b.ReportMetric(float64(wal.Bytes(b))/pending, "wal-B/timer")
		}
		cancel()
		<-done
		_, first := out.committed()
		h.st.Close()
		b.ReportMetric(float64(first.Sub(start).Microseconds())/1000, "first-overdue-ms")
		b.ReportMetric(all.Seconds(), "all-overdue-s")
		b.ReportMetric(pending/all.Seconds(), "fire-rate-timers/s")
		b.ReportMetric((self1 - self0).Seconds(), "go-cpu-s")
		if pg1 > 0 {
			b.ReportMetric((pg1 - pg0).Seconds(), "pg-cpu-s")
		}
		b.ReportMetric(loadAvg(), "loadavg")
	}
}
