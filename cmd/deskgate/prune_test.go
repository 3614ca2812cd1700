package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// The pruning round removes the outbound cap ledger's entries older than
// both windows (the cap's hour, the flood window), and keeps those the
// flood limit still counts: an inbound mail no longer prunes on its own.
func TestPruneRoundTrimsTheCapLedger(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test",
		TokenKey: []byte("test key, 32 bytes long.........")}, nil, slog.New(slog.DiscardHandler))
	svc.Inbound.SetInbound(bridge.InboundConfig{FloodLimit: 5, FloodWindow: 3 * time.Hour})
	a := &app{st: st, svc: svc, log: slog.New(slog.DiscardHandler), cfg: config.Config{LogRetention: 72 * time.Hour}}
	const key = "!flood a@example.com"
	now := time.Now()
	err := st.Update(ctx, func(tx store.Tx) error {
		for _, ago := range []time.Duration{5 * time.Hour, 4 * time.Hour, 2 * time.Hour, time.Minute} {
			if err := tx.RecordOutboundEmail(key, 0, now.Add(-ago)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a.pruneRound(ctx)
	var n int
	err = st.View(ctx, func(tx store.Tx) error {
		var err error
		n, _, err = tx.CountOutboundEmails(key, 0, now.Add(-24*time.Hour))
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("%d ledger entries left (%v), want the 2 within the 3 h flood window", n, err)
	}
}
