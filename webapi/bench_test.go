package webapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/store/storetest"
)

// benchEnv is newEnv for benchmarks (the harness takes a *testing.T).
func benchEnv(b *testing.B) (*env, fixture) {
	b.Helper()
	e := openEnvTB(b, b.TempDir())
	return e, e.fixture()
}

// BenchmarkPostMessage: POST /conversations/{id}/messages over HTTP, each
// a committed (fsynced) transaction with its notifications.
func BenchmarkPostMessage(b *testing.B) {
	e, f := benchEnv(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]string{"body": fmt.Sprintf("message %d", i)})
	}
}

// BenchmarkListMessages1000: GET a conversation of 1,000 messages.
func BenchmarkListMessages1000(b *testing.B) {
	e, f := benchEnv(b)
	for i := range 1000 {
		e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]string{"body": fmt.Sprintf("message %d with some typical length of text in it", i)})
	}
	b.ResetTimer()
	for b.Loop() {
		r := e.do("GET", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, nil)
		if r.status != 200 || len(r.body) < 100000 {
			b.Fatalf("list: %d, %d bytes", r.status, len(r.body))
		}
	}
}

// BenchmarkPostTo1000Followers: posting in a conversation 1,000 users
// follow (each gets a notification and a timer in the same commit).
// Reports p50 and p99 latency.
func BenchmarkPostTo1000Followers(b *testing.B) {
	e, f := benchEnv(b)
	for i := range 1000 {
		id := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": fmt.Sprintf("u%d@support.test", i)}).id(e.t)
		e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), adminToken, map[string]any{"user_id": id})
	}
	var lat []time.Duration
	var wal *pgtest.WALMeter
	if storetest.Postgres() {
		wal = pgtest.NewWALMeter(b)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": fmt.Sprintf("customer says %d", i)})
		lat = append(lat, time.Since(start))
	}
	if wal != nil { // what the post writes, whatever the machine's load
		b.ReportMetric(float64(wal.Bytes(b))/float64(len(lat)), "wal-B/post")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
