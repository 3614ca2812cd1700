package bridge_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/deskgate/deskgate/bridge"
)

// BenchmarkReceive stores 2 KB mails to support@ from 20 concurrent
// callers (each a new conversation), group commit included.
func BenchmarkReceive(b *testing.B) {
	svc, _ := newInboundService(b)
	ctx := context.Background()
	pad := strings.Repeat("a line of a two kilobyte benchmark message body ..........\r\n", 30)
	var n atomic.Int64
	b.SetParallelism(10) // x GOMAXPROCS (2 here) = 20 sessions
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			raw := fmt.Sprintf("From: a@x.test\r\nTo: support@support.test\r\nSubject: bench %d\r\nMessage-ID: <b%d@x.test>\r\n\r\n%s", i, i, pad)
			if _, err := svc.Inbound.Receive(ctx, bridge.Envelope{From: "a@x.test", To: []string{"support@support.test"}}, []byte(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
