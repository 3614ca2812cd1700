package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/store"
)

// secretNames are the secrets store copy carries with the records.
var secretNames = []string{replyTokenKey, outbound.RSAKeyFile, outbound.Ed25519KeyFile}

// cmdStore runs `deskgate store copy --to URL`: it copies the whole
// configured installation (records, pending timers, queued emails, keys)
// into an empty store: a postgres:// URL, or a directory for the embedded
// bbolt store. A non-empty target is refused. It prints what it copied.
func cmdStore(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "backup" {
		return cmdStoreBackup(args[1:], stdout, stderr)
	}
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "usage: deskgate store copy --to URL|DIR [--config FILE]\n       deskgate store backup [--config FILE] FILE")
		return 0
	}
	if len(args) == 0 || args[0] != "copy" {
		fmt.Fprintln(stderr, "usage: deskgate store copy --to URL|DIR [--config FILE]\n       deskgate store backup [--config FILE] FILE")
		return 2
	}
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	to := fs.String("to", "", "target: postgres://… or the data directory of a bbolt store")
	if code, stop := parseFlags(fs, args[1:]); stop {
		return code
	}
	if *to == "" {
		fmt.Fprintln(stderr, "deskgate: store copy needs --to URL (postgres://…) or a directory (bbolt)")
		return 2
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return 2
	}
	counts, err := storeCopy(context.Background(), cfg, *to)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: store copy: %v\n", err)
		return 1
	}
	for _, k := range append(append([]string(nil), store.RecordKinds...), "secret") {
		fmt.Fprintf(stdout, "%-14s %d\n", k, counts[k])
	}
	return 0
}

// errNotEmpty stops an Export at its first record.
var errNotEmpty = errors.New("not empty")

func storeCopy(ctx context.Context, cfg config.Config, to string) (map[string]int, error) {
	src, err := openStore(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	defer src.st.Close()
	if sameStore(to, storeURL(cfg)) {
		return nil, errors.New("the target is the configured store itself")
	}
	dst, err := openStoreAt(ctx, to, nil) // store.Open chooses by the URL
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", config.RedactURL(to), err)
	}
	defer dst.st.Close()
	from, ok1 := src.st.(store.Copier)
	into, ok2 := dst.st.(store.Copier)
	if !ok1 || !ok2 {
		return nil, errors.New("a backend cannot copy")
	}
	// Refuse a target that holds anything: records or keys.
	err = into.Export(ctx, func(store.Record) error { return errNotEmpty })
	if errors.Is(err, errNotEmpty) {
		return nil, fmt.Errorf("the target %s is not empty: refusing to copy into it", config.RedactURL(to))
	}
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	for _, name := range secretNames {
		if _, err := dst.secrets.LoadOrCreate(ctx, name, func() ([]byte, error) { return nil, errNotEmpty }); !errors.Is(err, errNotEmpty) {
			return nil, fmt.Errorf("the target already has a %s: refusing to copy into it", name)
		}
	}
	counts := map[string]int{}
	var batch []store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := into.Import(ctx, batch)
		batch = batch[:0]
		return err
	}
	err = from.Export(ctx, func(r store.Record) error {
		counts[r.Kind]++
		batch = append(batch, r)
		if len(batch) >= 500 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, err
	}
	for _, name := range secretNames {
		data, err := src.secrets.LoadOrCreate(ctx, name, func() ([]byte, error) { return nil, errNotEmpty })
		if errors.Is(err, errNotEmpty) {
			continue // never created (no email sent yet): the target makes its own
		}
		if err != nil {
			return nil, err
		}
		if _, err := dst.secrets.LoadOrCreate(ctx, name, func() ([]byte, error) { return data, nil }); err != nil {
			return nil, err
		}
		counts["secret"]++
	}
	return counts, nil
}

// sameStore reports whether two store locations are one: equal URLs, or
// plain paths of one directory.
func sameStore(a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := filepath.Abs(a)
	cb, errB := filepath.Abs(b)
	return errA == nil && errB == nil && ca == cb && !strings.Contains(a, "://") && !strings.Contains(b, "://")
}
