package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/store"
)

// cmdDKIM runs `deskgate dkim dns [--config FILE]`: it prints the DNS TXT
// records of the DKIM keys (SPEC §2), generating the keys in the data
// directory when they are absent, one line per key in zone-file syntax.
func cmdDKIM(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "usage: deskgate dkim dns [--config FILE]   print the DKIM keys' DNS TXT records")
		return 0
	}
	if len(args) == 0 || args[0] != "dns" {
		fmt.Fprintln(stderr, "usage: deskgate dkim dns [--config FILE]")
		return 2
	}
	fs := flag.NewFlagSet("dkim dns", flag.ContinueOnError)
	cfg, code, stop := flagsAndConfig(fs, args[1:], stderr)
	if stop {
		return code
	}
	lines, err := dkimZoneLines(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", err)
		return 1
	}
	for _, line := range lines {
		fmt.Fprintln(stdout, line)
	}
	return 0
}

// dkimZoneLines returns the DKIM keys' TXT records for the first domain
// (the one deskgate signs for), generating the keys when absent: in the
// data directory on bbolt, in the database on PostgreSQL (SPEC §8).
func dkimZoneLines(cfg config.Config) ([]string, error) {
	// The store's secrets without its database where they are files (a
	// running serve holds the bbolt file); the keys every node shares on
	// PostgreSQL (SPEC §8).
	sec, closeSec, err := store.OpenSecrets(context.Background(), storeURL(cfg))
	if err != nil {
		return nil, storeErr(cfg, err)
	}
	defer closeSec()
	keys, err := outbound.LoadOrCreateKeysIn(context.Background(), sec, time.Now())
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, k := range keys {
		line, err := k.ZoneLine(cfg.Domains[0])
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}
