package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore"
)

// cmdDKIM runs `deskgate dkim dns [--config FILE]`: it prints the DNS TXT
// records of the DKIM keys (SPEC §2), generating the keys in the data
// directory when they are absent, one line per key in zone-file syntax.
func cmdDKIM(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "dns" {
		fmt.Fprintln(stderr, "usage: deskgate dkim dns [--config FILE]")
		return 2
	}
	fs := flag.NewFlagSet("dkim dns", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return 2
	}
	var sec store.Secrets = boltstore.FileSecrets(cfg.DataDir)
	if cfg.DatabaseURL != "" { // the keys every node shares (SPEC §8)
		pg, err := pgstore.Open(context.Background(), cfg.DatabaseURL)
		if err != nil {
			fmt.Fprintf(stderr, "deskgate: DESKGATE_DATABASE_URL %s: %v\n", config.RedactURL(cfg.DatabaseURL), err)
			return 1
		}
		defer pg.Close()
		sec = pg
	} else if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		fmt.Fprintf(stderr, "deskgate: data dir: %v\n", err)
		return 1
	}
	keys, err := outbound.LoadOrCreateKeysIn(context.Background(), sec, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", err)
		return 1
	}
	for _, k := range keys {
		line, err := k.ZoneLine(cfg.Domains[0])
		if err != nil {
			fmt.Fprintf(stderr, "deskgate: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, line)
	}
	return 0
}
