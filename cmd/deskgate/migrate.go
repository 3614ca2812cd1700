package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/deskgate/deskgate/store"
)

// cmdMigrate applies the schema migrations the configured PostgreSQL
// database lacks (serve does the same at start, one node at a time) and
// prints the schema version. The bbolt store has no migrations to run: its
// schema version is checked when it is opened.
func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg, code, stop := flagsAndConfig(fs, args, stderr)
	if stop {
		return code
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(stdout, "store: bbolt in", cfg.DataDir, "(no migrations: the schema version is checked at open)")
		return 0
	}
	st, err := store.Open(context.Background(), storeURL(cfg), store.Options{}) // migrates
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", storeErr(cfg, err))
		return 1
	}
	defer st.Close()
	if m, ok := st.(store.Migrator); ok {
		fmt.Fprintf(stdout, "store: %s, schema version %d\n", st.Backend(), m.SchemaVersion())
	} else {
		fmt.Fprintf(stdout, "store: %s (no migrations)\n", st.Backend())
	}
	return 0
}
