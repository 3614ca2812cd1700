package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore"
	"github.com/prometheus/client_golang/prometheus"
)

// openedStore is the configured backend and where its secrets live: the
// data directory's files for bbolt (as before: `deskgate dkim dns` reads
// them while serve runs), the keys table for PostgreSQL, which every node
// shares (SPEC §8).
type openedStore struct {
	st      store.Store
	secrets store.Secrets
	pg      *pgstore.Store // nil on bbolt
}

// openStore opens the backend cfg selects (DESKGATE_DATABASE_URL: empty =
// bbolt in the data dir, postgres://… = PostgreSQL, migrated to this
// binary's schema) and, when reg is not nil, registers the store write
// latency metric in it.
func openStore(ctx context.Context, cfg config.Config, reg prometheus.Registerer) (*openedStore, error) {
	var o openedStore
	var observe func(time.Duration)
	if reg != nil {
		writes := prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "deskgate_store_write_seconds", Help: "Duration of store write transactions (commit and fsync included).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		})
		reg.MustRegister(writes)
		observe = func(d time.Duration) { writes.Observe(d.Seconds()) }
	}
	if cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		st, err := boltstore.Open(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if observe != nil {
			st.SetWriteObserver(observe)
		}
		o.st, o.secrets = st, boltstore.FileSecrets(cfg.DataDir)
		return &o, nil
	}
	st, err := pgstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DESKGATE_DATABASE_URL %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	if observe != nil {
		st.SetWriteObserver(observe)
	}
	if reg != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "deskgate_store_retries_total",
			Help: "PostgreSQL write transactions run again after a deadlock or a stale cached record.",
		}, func() float64 { return float64(st.Retries()) }))
	}
	o.st, o.secrets, o.pg = st, st, st
	return &o, nil
}

// replyTokenKey is the name of the 32-byte secret that makes reply tokens
// unforgeable. Losing it only invalidates reply addresses already sent.
const replyTokenKey = "reply-token.key"

// loadReplyTokenKey returns the reply-token key, creating it on first start.
func loadReplyTokenKey(ctx context.Context, sec store.Secrets) ([]byte, error) {
	key, err := sec.LoadOrCreate(ctx, replyTokenKey, func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", replyTokenKey, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("%s: want 32 bytes, found %d", replyTokenKey, len(key))
	}
	return key, nil
}

// nodeName is DESKGATE_NODE_NAME, or the host name.
func nodeName(cfg config.Config) string {
	if cfg.NodeName != "" {
		return cfg.NodeName
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "deskgate"
}
