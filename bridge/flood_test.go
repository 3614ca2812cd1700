package bridge_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// The flood limit holds across nodes (SPEC §8): two services on one
// PostgreSQL database, each with a limit of 3 mails per sender, let the
// sender through 3 times in all, not 3 times each.
func TestFloodLimitHoldsAcrossNodes(t *testing.T) {
	url := pgtest.NewSchema(t)
	clock := clocktest.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	var nodes []*bridge.Service
	for range 2 {
		st, err := pgstore.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
			UnseenDelay: time.Minute, TokenKey: []byte("test key, 32 bytes long.........")}, clock, nil)
		svc.Inbound.SetInbound(bridge.InboundConfig{FloodLimit: 3, FloodWindow: 10 * time.Minute})
		nodes = append(nodes, svc)
	}
	suppressed := 0
	for i := range 6 {
		raw := fmt.Sprintf("From: carol@example.com\r\nTo: support@support.test\r\nSubject: help %d\r\nMessage-ID: <f%d@example.com>\r\n\r\nplease\r\n", i, i)
		rec, err := nodes[i%2].Inbound.Receive(context.Background(), bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rec.Entries {
			if e.Status == bridge.InSuppressed {
				suppressed++
			}
		}
	}
	if suppressed != 3 {
		t.Fatalf("%d of 6 mails suppressed across two nodes with a limit of 3, want 3", suppressed)
	}
	// After the window the sender is let through again.
	clock.Advance(11 * time.Minute)
	rec, err := nodes[0].Inbound.Receive(context.Background(), bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}},
		[]byte("From: carol@example.com\r\nTo: support@support.test\r\nSubject: later\r\nMessage-ID: <later@example.com>\r\n\r\nhi\r\n"))
	if err != nil || len(rec.Entries) == 0 || rec.Entries[0].Status == bridge.InSuppressed {
		t.Fatalf("after the window: %+v %v", rec, err)
	}
}
