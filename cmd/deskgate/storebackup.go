package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Online backup of the bbolt store. Only one process may open the file,
// so while serve runs it answers on a unix socket in the data directory
// (mode 0600: whoever may use it may read the store file anyway) and
// streams bbolt's consistent copy; `deskgate store backup FILE` asks it
// there, or, with no server running, opens the store itself.

// controlSocket is the name of the socket in the data directory.
const controlSocket = "control.sock"

// serveBackups answers backup requests on the data directory's socket
// until ln is closed.
func serveBackups(ln net.Listener, st store.Backuper, log *slog.Logger) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(time.Hour))
			line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "backup" {
				fmt.Fprintf(c, "error unknown request\n")
				return
			}
			start := time.Now()
			n, err := st.Backup(func(size int64) (io.Writer, error) {
				_, err := fmt.Fprintf(c, "ok %d\n", size)
				return c, err
			})
			if err != nil {
				log.Warn("store backup failed", "err", err)
				return
			}
			log.Info("store backup written", "bytes", n, "took", time.Since(start))
		}()
	}
}

// listenControl opens the control socket in dir (removing one a stopped
// server left: the store's lock says no other server runs here).
func listenControl(dir string) (net.Listener, error) {
	path := filepath.Join(dir, controlSocket)
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// cmdStoreBackup runs `deskgate store backup [--config FILE] FILE`.
func cmdStoreBackup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("store backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: deskgate store backup [--config FILE] FILE\n  a consistent copy of the bbolt store, also while serve runs (PostgreSQL: use pg_dump)")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return 2
	}
	if cfg.DatabaseURL != "" {
		fmt.Fprintln(stderr, "deskgate: store backup copies the bbolt store; on PostgreSQL use pg_dump --format=custom (docs/operating.md)")
		return 2
	}
	n, how, err := backupTo(cfg.DataDir, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: store backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d bytes (%s)\n", fs.Arg(0), n, how)
	return 0
}

// backupTo writes the store of data directory dir to file (through a
// temporary file, synced, then renamed: a failed backup leaves no file).
func backupTo(dir, file string) (int64, string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".tmp*")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, how, err := backupInto(dir, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	return n, how, err
}

func backupInto(dir string, w io.Writer) (int64, string, error) {
	c, err := net.DialTimeout("unix", filepath.Join(dir, controlSocket), 5*time.Second)
	if err != nil { // no server: open the store ourselves
		st, err := store.Open(context.Background(), plainPath(dir), store.Options{})
		if err != nil {
			return 0, "", err
		}
		defer st.Close()
		b, ok := st.(store.Backuper)
		if !ok {
			return 0, "", fmt.Errorf("the %s store has no online backup", st.Backend())
		}
		n, err := b.Backup(func(int64) (io.Writer, error) { return w, nil })
		return n, "store opened directly: no server running", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, "backup\n"); err != nil {
		return 0, "", err
	}
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n')
	if err != nil {
		return 0, "", fmt.Errorf("the running server did not answer: %w", err)
	}
	sizeText, ok := strings.CutPrefix(strings.TrimSpace(head), "ok ")
	size, perr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || perr != nil {
		return 0, "", fmt.Errorf("the running server answered %q", strings.TrimSpace(head))
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return n, "", err
	}
	if n != size {
		return n, "", errors.New("the copy was cut short (" + strconv.FormatInt(n, 10) + " of " + sizeText + " bytes)")
	}
	return n, "consistent copy from the running server", nil
}
