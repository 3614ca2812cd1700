// Package pgtest gives tests a fresh, empty PostgreSQL schema of the
// cluster named by DESKGATE_TEST_PG (scripts/pg-cluster.sh starts one;
// scripts/test does it for CI). Without it a test is skipped, or fails
// when CI is set: a check that cannot run must not pass silently.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/jackc/pgx/v5"
)

// EnvVar names the cluster's URL.
const EnvVar = "DESKGATE_TEST_PG"

// Available reports whether a test cluster is configured.
func Available() bool { return os.Getenv(EnvVar) != "" }

// Require skips tb (or fails it under CI) when no cluster is configured.
func Require(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		testenv.Unavailable(tb, "%s is not set: no PostgreSQL to test against (scripts/pg-cluster.sh starts one; scripts/test does for CI)", EnvVar)
	}
	return base
}

// NewSchema creates an empty schema for tb, dropped when it ends, and
// returns a URL whose connections use it (search_path).
func NewSchema(tb testing.TB) string {
	tb.Helper()
	base := Require(tb)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
