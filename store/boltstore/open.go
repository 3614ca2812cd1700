package boltstore

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// The embedded store opens by store.Open from a plain directory path
// ("./data", "/var/lib/deskgate") or a bolt: / bbolt: URL naming one
// ("bolt:///var/lib/deskgate", "bbolt:./data"): the data directory holds
// the database file (FileName) and the secrets.
func init() {
	store.Register(store.Driver{
		Name: store.BackendBolt, Schemes: []string{"bolt", "bbolt"}, Paths: true,
		Open: func(_ context.Context, u string) (store.Store, error) {
			dir, err := dirOf(u)
			if err != nil {
				return nil, err
			}
			return Open(dir)
		},
		// The secrets are files: read beside a running server, whose
		// file lock keeps the database from a second process.
		OpenSecrets: func(_ context.Context, u string) (store.Secrets, func() error, error) {
			dir, err := dirOf(u)
			if err != nil {
				return nil, nil, err
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, nil, fmt.Errorf("data dir: %w", err)
			}
			return store.FileSecrets(dir), func() error { return nil }, nil
		},
	})
}

// dirOf returns the data directory a store location names: a plain path
// as it is, bolt:///abs/dir or bolt:/abs/dir (a path), bolt:rel/dir (a
// relative one); "bbolt:" alike. A host (bolt://host/dir) is refused:
// the store is a file on this machine.
func dirOf(loc string) (string, error) {
	scheme, rest, ok := strings.Cut(loc, ":")
	if !ok || (!strings.EqualFold(scheme, "bolt") && !strings.EqualFold(scheme, "bbolt")) || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, ".") {
		return loc, nil // a plain path
	}
	if !strings.HasPrefix(rest, "//") {
		if rest == "" {
			return "", fmt.Errorf("%w: %s: names no directory", store.ErrBadURL, loc)
		}
		return rest, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("%w: %v", store.ErrBadURL, err)
	}
	if u.Host != "" {
		return "", fmt.Errorf("%w: %s names host %q: the bbolt store is a directory on this machine (bolt:///path/to/dir)", store.ErrBadURL, loc, u.Host)
	}
	if u.Path == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: %s: want bolt:///path/to/dir", store.ErrBadURL, loc)
	}
	return u.Path, nil
}

// LoadOrCreate keeps the store's secrets as files of its data directory
// (store.FileSecrets).
func (s *Store) LoadOrCreate(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	return store.FileSecrets(s.dir).LoadOrCreate(ctx, name, create)
}
