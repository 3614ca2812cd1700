package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
)

const (
	benchUsers = 100  // each follows the project, so every conversation
	benchConvs = 1000 // one customer message each: 100 × 1000 = 100,000 timers
	pending    = benchUsers * benchConvs
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkPendingTimers100k: what 100,000 pending unseen-email timers
// cost. store-bytes/timer is the growth of the store file per pending
// notification with its timer, through the posting path (delivery record,
// per-conversation state, timer and its index); timer-only-bytes/timer
// is the file growth of the timer records alone; heap-bytes/timer is the
// Go heap held per pending timer while the timer loop runs (timers live
// in the store, the loop holds only the earliest due time).
func BenchmarkPendingTimers100k(b *testing.B) {
	for b.Loop() {
		h := newHelpdesk(b, b.TempDir(), benchUsers, benchConvs)
		clock := clocktest.New(t0)
		svc := h.service(clock, &recordingOutbox{delay: time.Minute, now: clock.Now}, time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Notifications.RunTimers(ctx) }()
		heap0, size0 := heapInUse(), fileSize(b, h.dir)
		h.postEach(b, svc)
		if n := timerCount(b, h.st); n != pending {
			b.Fatalf("%d timers pending, want %d", n, pending)
		}
		heap1, size1 := heapInUse(), fileSize(b, h.dir)
		cancel()
		<-done
		h.st.Close()
		b.ReportMetric(float64(size1-size0)/pending, "store-bytes/timer")
		b.ReportMetric((float64(heap1)-float64(heap0))/pending, "heap-bytes/timer")
		b.ReportMetric(float64(size1)/(1<<20), "store-MB")

		dir := b.TempDir()
		st, err := boltstore.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		before := fileSize(b, dir)
		for start := 0; start < pending; start += 10000 {
			err := st.Update(context.Background(), func(tx store.Tx) error {
				for i := start; i < start+10000; i++ {
					r := store.Recipient{Type: store.KindUser, ID: uint64(i%benchUsers + 1)}
					if err := tx.SetTimer(r, uint64(i/benchUsers+1), t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(fileSize(b, dir)-before)/pending, "timer-only-bytes/timer")
		st.Close()
	}
}

// buildPending builds a store with 100,000 pending timers due at t0+1m
// and returns its directory (closed).
func buildPending(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "pending")
	h := newHelpdesk(b, dir, benchUsers, benchConvs)
	clock := clocktest.New(t0)
	svc := h.service(clock, &recordingOutbox{delay: time.Minute, now: clock.Now}, time.Minute)
	h.postEach(b, svc)
	if err := h.st.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

func copyStore(b *testing.B, from string) string {
	b.Helper()
	to := b.TempDir()
	src, err := os.Open(filepath.Join(from, boltstore.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(to, boltstore.FileName))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	return to
}

// BenchmarkRestartWith100kPending: a restart with 100,000 pending timers.
// reopen-ms is opening the store and the timer loop's first pass finding
// the next due timer (none due yet); first-overdue-ms is, with all of them
// overdue, from opening the store to the first email committed; and
// all-overdue-s the time until all 100,000 are emailed (fire-rate
// timers/s).
func BenchmarkRestartWith100kPending(b *testing.B) {
	dir := buildPending(b)
	ctx := context.Background()
	for b.Loop() {
		start := time.Now()
		st, err := boltstore.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		clock := clocktest.New(t0.Add(30 * time.Second))
		svc := (&helpdesk{st: st}).service(clock, &recordingOutbox{delay: time.Minute, now: time.Now}, time.Minute)
		if err := svc.Notifications.FireDue(ctx); err != nil {
			b.Fatal(err)
		}
		reopen := time.Since(start)
		st.Close()

		b.StopTimer()
		overdue := copyStore(b, dir)
		b.StartTimer()
		start = time.Now()
		st, err = boltstore.Open(overdue)
		if err != nil {
			b.Fatal(err)
		}
		out := &recordingOutbox{delay: time.Minute, now: time.Now}
		svc = (&helpdesk{st: st}).service(clocktest.New(t0.Add(2*time.Minute)), out, time.Minute)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- svc.Notifications.RunTimers(runCtx) }()
		deadline := time.Now().Add(10 * time.Minute)
		for n, _ := out.committed(); n < pending; n, _ = out.committed() {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d overdue timers fired in 10 minutes", n, pending)
			}
			time.Sleep(time.Millisecond)
		}
		all := time.Since(start)
		cancel()
		<-done
		_, first := out.committed()
		if n := timerCount(b, st); n != 0 {
			b.Fatalf("%d timers left", n)
		}
		st.Close()
		b.ReportMetric(float64(reopen.Microseconds())/1000, "reopen-ms")
		b.ReportMetric(float64(first.Sub(start).Microseconds())/1000, "first-overdue-ms")
		b.ReportMetric(all.Seconds(), "all-overdue-s")
		b.ReportMetric(pending/all.Seconds(), "fire-rate-timers/s")
		b.ReportMetric(loadAvg(), "loadavg")
	}
}

// BenchmarkLatenessAt1000MsgPerSec: how late timers fire while messages
// are posted at 1,000/s for 10 s (real clock, unseen delay 1 s). An agent
// posts round-robin in 2,000 external conversations; each message
// notifies the conversation's customer and one other agent, so timers
// fall due continuously (about one email per conversation and recipient
// per second). lateness is from a timer's due time to the commit that
// queued its email. write-p99/max-ms are the store's write transactions
// (posts and firing) from call to commit.
func BenchmarkLatenessAt1000MsgPerSec(b *testing.B) {
	const (
		rate     = 1000
		duration = 10 * time.Second
		delay    = time.Second
		posters  = 32
	)
	for b.Loop() {
		h := newHelpdesk(b, b.TempDir(), 2, 2000)
		out := &recordingOutbox{delay: delay, now: time.Now}
		var wmu sync.Mutex
		var writes []time.Duration
		h.st.SetWriteObserver(func(d time.Duration) { wmu.Lock(); writes = append(writes, d); wmu.Unlock() })
		svc := h.service(bridge.SystemClock{}, out, delay)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- svc.Notifications.RunTimers(ctx) }()

		agent := bridge.Caller{Kind: store.KindUser, ID: h.users[0], Role: store.RoleAgent}
		work := make(chan uint64, posters)
		var mu sync.Mutex
		var postLat []time.Duration
		var wg sync.WaitGroup
		for range posters {
			wg.Go(func() {
				for conv := range work {
					t := time.Now()
					if _, err := svc.Conversations.PostMessage(ctx, agent, conv, bridge.NewMessage{Body: "We are on it"}); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					postLat = append(postLat, time.Since(t))
					mu.Unlock()
				}
			})
		}
		start := time.Now()
		tick := time.NewTicker(time.Second / rate)
		sent := 0
		for time.Since(start) < duration {
			<-tick.C
			// Catch up when the ticker lagged, so the offered rate holds.
			for want := int(time.Since(start) * rate / time.Second); sent < want; sent++ {
				work <- h.convs[sent%len(h.convs)]
			}
		}
		tick.Stop()
		close(work)
		wg.Wait()
		elapsed := time.Since(start)
		time.Sleep(delay + 2*time.Second) // let the last timers fall due and fire
		cancel()
		<-done
		h.st.Close()

		wmu.Lock()
		ws := sortedCopy(writes)
		wmu.Unlock()
		lat := sortedCopy(out.lateness)
		pl := sortedCopy(postLat)
		b.ReportMetric(float64(len(pl))/elapsed.Seconds(), "posted-msg/s")
		b.ReportMetric(percentile(pl, 0.50), "post-p50-ms")
		b.ReportMetric(percentile(pl, 0.99), "post-p99-ms")
		b.ReportMetric(float64(len(lat)), "emails")
		b.ReportMetric(percentile(lat, 0.50), "late-p50-ms")
		b.ReportMetric(percentile(lat, 0.99), "late-p99-ms")
		b.ReportMetric(percentile(lat, 1), "late-max-ms")
		// Every write waits for the one before it: a slow commit (the
		// disk) delays all that follow, posts and emails alike.
		b.ReportMetric(percentile(ws, 0.99), "write-p99-ms")
		b.ReportMetric(percentile(ws, 1), "write-max-ms")
		b.ReportMetric(loadAvg(), "loadavg")
	}
}
