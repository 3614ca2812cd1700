package pgstore

import (
	"context"
	"log/slog"

	"github.com/deskgate/deskgate/store"
)

// PostgreSQL opens by store.Open from a postgres:// or postgresql:// URL
// (DESKGATE_DATABASE_URL); its secrets are the keys table every node
// shares, so OpenSecrets opens the store.
func init() {
	store.Register(store.Driver{
		Name: store.BackendPostgres, Schemes: []string{"postgres", "postgresql"},
		Open: func(ctx context.Context, url string) (store.Store, error) { return Open(ctx, url) },
	})
}

var (
	_ store.Secrets      = (*Store)(nil)
	_ store.Copier       = (*Store)(nil)
	_ store.EventBus     = (*Store)(nil)
	_ store.RetryCounter = (*Store)(nil)
	_ store.Migrator     = (*Store)(nil)
)

// NodeEvents returns the events of node over the store (NewEvents).
func (s *Store) NodeEvents(node string, log *slog.Logger) store.NodeEvents {
	return NewEvents(s, node, log)
}

// SchemaVersion returns the schema version the store was migrated to:
// this binary's (Open migrates).
func (s *Store) SchemaVersion() int { return SchemaVersion() }
