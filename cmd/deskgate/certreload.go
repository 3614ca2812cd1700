package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// certReloader serves the STARTTLS certificate of DESKGATE_TLS_CERT/KEY
// and takes a renewed one without a restart: on SIGHUP, and when either
// file's modification time or size changed (checked at most every
// checkEvery, at a handshake). A pair that does not load keeps the
// previous certificate in service, with a warning.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger
	checkEvery        time.Duration

	mu        sync.Mutex
	cert      *tls.Certificate
	stamp     string // the files' mtimes and sizes when cert was loaded
	lastCheck time.Time
}

// newCertReloader loads the pair once (an error stops serve at start).
func newCertReloader(certFile, keyFile string, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log, checkEvery: 10 * time.Second}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// stampOf is what tells a changed file: modification times and sizes.
func (r *certReloader) stampOf() string {
	s := ""
	for _, f := range []string{r.certFile, r.keyFile} {
		if fi, err := os.Stat(f); err == nil {
			s += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		} else {
			s += "missing;"
		}
	}
	return s
}

// load reads the pair; on error the current certificate stays.
func (r *certReloader) load() error {
	stamp := r.stampOf()
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls certificate %s / %s: %w", r.certFile, r.keyFile, err)
	}
	r.mu.Lock()
	r.cert, r.stamp, r.lastCheck = &cert, stamp, time.Now()
	r.mu.Unlock()
	return nil
}

// Reload loads the pair again now (SIGHUP), logging the outcome.
func (r *certReloader) Reload() {
	if err := r.load(); err != nil {
		r.log.Warn("TLS certificate not reloaded: keeping the previous one", "err", err)
		return
	}
	r.log.Info("TLS certificate reloaded", "cert", r.certFile)
}

// GetCertificate is tls.Config.GetCertificate: the current pair, reloaded
// first when the files changed since it was loaded.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	due := time.Since(r.lastCheck) >= r.checkEvery
	if due {
		r.lastCheck = time.Now()
	}
	stamp := r.stamp
	r.mu.Unlock()
	if due && r.stampOf() != stamp {
		r.Reload()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cert, nil
}

// reloadOnHUP reloads on every SIGHUP until ctx ends. r may be nil (no
// TLS): SIGHUP is then only logged, never the end of the process.
func (r *certReloader) reloadOnHUP(ctx context.Context, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if r == nil {
				log.Info("SIGHUP: nothing to reload (no DESKGATE_TLS_CERT)")
				continue
			}
			r.Reload()
		}
	}
}
