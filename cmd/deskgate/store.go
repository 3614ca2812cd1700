package main

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/prometheus/client_golang/prometheus"
)

// openStore opens the configured backend (SPEC §8) and registers the
// store write latency metric in reg.
func openStore(_ context.Context, cfg config.Config, reg prometheus.Registerer) (store.Store, error) {
	writes := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "deskgate_store_write_seconds", Help: "Duration of store write transactions (commit and fsync included).",
		Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
	})
	reg.MustRegister(writes)
	st, err := boltstore.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st.SetWriteObserver(func(d time.Duration) { writes.Observe(d.Seconds()) })
	return st, nil
}
