package main

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/store"
)

// pruneChunk is how many records one pruning transaction deletes at most,
// so no transaction grows large.
const pruneChunk = 500

// pruneLoop deletes, once a minute, mail log entries and raw messages older
// than the retention, expired sessions, password links and rate-limit
// windows, and expired entries of the outbound cap's ledger, and bounds
// the mail log to DESKGATE_MAILLOG_MAX_BYTES unless the store does that
// itself on every new entry (store.MailLogBounder: bbolt).
func (a *app) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		a.pruneRound(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneInChunks runs step in transactions until it deletes less than a
// chunk (at most 100 rounds). One node prunes at a time (SPEC §8): the
// transaction takes the lock named lock, and a node that does not get it
// skips the round. It returns how many records the committed
// transactions deleted.
func (a *app) pruneInChunks(ctx context.Context, lock, what string, step func(store.Tx) (int, error)) (total int) {
	for range 100 {
		var n int
		err := a.st.Update(ctx, func(tx store.Tx) error {
			n = 0
			if ok, err := tx.TryLock(lock); err != nil || !ok {
				return err
			}
			var err error
			n, err = step(tx)
			return err
		})
		if err != nil {
			a.log.Error(what, "err", err)
			return total
		}
		total += n
		if n < pruneChunk || ctx.Err() != nil {
			return total
		}
	}
	return total
}

// pruneRound is one round of pruneLoop.
func (a *app) pruneRound(ctx context.Context) {
	before := time.Now().Add(-a.cfg.LogRetention)
	a.pruneInChunks(ctx, "prune mail log", "pruning the mail log", func(tx store.Tx) (int, error) {
		return tx.PruneMailLog(before, pruneChunk)
	})
	a.pruneInChunks(ctx, "prune accounts", "pruning expired sessions and links", func(tx store.Tx) (int, error) {
		return tx.PruneAccounts(time.Now(), pruneChunk)
	})
	if !a.selfBounded && a.cfg.MailLogMaxBytes > 0 {
		if n := a.pruneInChunks(ctx, "prune mail log", "bounding the mail log", func(tx store.Tx) (int, error) {
			return tx.EvictMailLog(a.cfg.MailLogMaxBytes, pruneChunk)
		}); n > 0 {
			a.onEvict(n)
		}
	}
	// The outbound cap's ledger, which also counts the flood limit's
	// inbound mails: entries older than both windows.
	a.pruneInChunks(ctx, "prune outbound cap", "pruning the outbound cap ledger", func(tx store.Tx) (int, error) {
		return tx.PruneOutboundEmails(time.Now().Add(-a.svc.Inbound.LedgerWindow()), pruneChunk)
	})
}
