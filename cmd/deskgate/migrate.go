package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/store/pgstore"
)

// cmdMigrate applies the schema migrations the configured PostgreSQL
// database lacks (serve does the same at start, one node at a time) and
// prints the schema version. The bbolt store has no migrations to run: its
// schema version is checked when it is opened.
func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return 2
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(stdout, "store: bbolt in", cfg.DataDir, "(no migrations: the schema version is checked at open)")
		return 0
	}
	st, err := pgstore.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: DESKGATE_DATABASE_URL %s: %v\n", config.RedactURL(cfg.DatabaseURL), err)
		return 1
	}
	defer st.Close()
	fmt.Fprintf(stdout, "store: postgres, schema version %d\n", pgstore.SchemaVersion())
	return 0
}
