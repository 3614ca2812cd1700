package pgstore

import (
	"context"
	"fmt"
)

// LoadOrCreate returns the secret stored under name (the reply-token key,
// DKIM keys), storing create's result first when there is none. Nodes
// starting together race on the insert; every one of them gets the row
// that won, so all nodes sign and verify alike (SPEC §8).
func (s *Store) LoadOrCreate(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM keys WHERE name = $1`, name).Scan(&data)
	if err == nil {
		return data, nil
	}
	if !isNoRows(err) {
		return nil, wrapErr(fmt.Errorf("read secret %s: %w", name, err))
	}
	fresh, err := create()
	if err != nil {
		return nil, err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO keys (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh)
	if err != nil {
		return nil, wrapErr(fmt.Errorf("store secret %s: %w", name, err))
	}
	if err := s.pool.QueryRow(ctx, `SELECT data FROM keys WHERE name = $1`, name).Scan(&data); err != nil {
		return nil, wrapErr(fmt.Errorf("read secret %s: %w", name, err))
	}
	return data, nil
}

// Secrets lists the names of the stored secrets (for store copy).
func (s *Store) Secrets(ctx context.Context) (map[string][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, data FROM keys ORDER BY name`)
	if err != nil {
		return nil, wrapErr(err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var name string
		var data []byte
		if err := rows.Scan(&name, &data); err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, rows.Err()
}
