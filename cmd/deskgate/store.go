package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/store"
	"github.com/prometheus/client_golang/prometheus"
)

// openedStore is the configured backend and where its secrets live: the
// data directory's files for bbolt (as before: `deskgate dkim dns` reads
// them while serve runs), the keys table for PostgreSQL, which every node
// shares (SPEC §8). Both come from the store itself (store.Secrets).
type openedStore struct {
	st      store.Store
	secrets store.Secrets
}

// storeURL is where cfg's store is, for store.Open: DESKGATE_DATABASE_URL
// when set (postgres://…), else the data directory, a plain path (the
// embedded bbolt store).
func storeURL(cfg config.Config) string {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL
	}
	return plainPath(cfg.DataDir)
}

// plainPath makes dir read as a path, never as a URL scheme ("data:x" is
// "./data:x").
func plainPath(dir string) string {
	if filepath.IsAbs(dir) || strings.HasPrefix(dir, ".") {
		return dir
	}
	return "." + string(filepath.Separator) + dir
}

// storeErr names the setting a store error came from (the URL without its
// password).
func storeErr(cfg config.Config, err error) error {
	if cfg.DatabaseURL != "" {
		return fmt.Errorf("DESKGATE_DATABASE_URL %s: %w", config.RedactURL(cfg.DatabaseURL), err)
	}
	return err
}

// openStore opens the backend cfg selects (DESKGATE_DATABASE_URL: empty =
// bbolt in the data dir, postgres://… = PostgreSQL, migrated to this
// binary's schema) and, when reg is not nil, registers the store write
// latency metric in it (and the retries metric of a backend that retries).
func openStore(ctx context.Context, cfg config.Config, reg prometheus.Registerer) (*openedStore, error) {
	if cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	o, err := openStoreAt(ctx, storeURL(cfg), reg)
	if err != nil {
		return nil, storeErr(cfg, err)
	}
	return o, nil
}

// openStoreAt opens the store at url (store.Open) with its secrets.
func openStoreAt(ctx context.Context, url string, reg prometheus.Registerer) (*openedStore, error) {
	var opts store.Options
	if reg != nil {
		writes := prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "deskgate_store_write_seconds", Help: "Duration of store write transactions (commit and fsync included).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		})
		reg.MustRegister(writes)
		opts.WriteObserver = func(d time.Duration) { writes.Observe(d.Seconds()) }
	}
	st, err := store.Open(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	sec, ok := st.(store.Secrets)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("the %s store keeps no secrets (reply-token and DKIM keys)", st.Backend())
	}
	if rc, ok := st.(store.RetryCounter); ok && reg != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "deskgate_store_retries_total",
			Help: "PostgreSQL write transactions run again after a deadlock or a stale cached record.",
		}, func() float64 { return float64(rc.Retries()) }))
	}
	return &openedStore{st: st, secrets: sec}, nil
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
