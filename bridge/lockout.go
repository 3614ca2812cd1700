package bridge

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Password guessing without lockouts (issue 20). A limit per address alone
// lets anyone lock any account: ten wrong passwords from anywhere and the
// owner's right one is refused everywhere. So:
//   - refusals (429) count per address *and* client together, and per
//     client: a stranger's failures use up the stranger's own windows,
//     never those of the owner's client;
//   - per address from all clients, attempts beyond LoginSlowAfter are
//     only slowed (LoginSlowdown each, before the password is checked),
//     never refused, so a right password waits a second at most beyond
//     the hash queue, however many strangers guess;
//   - reset emails likewise count per address and client (quietly), with
//     a looser cap per address from all clients so no mailbox is flooded.

// passwordAttemptTx counts, in tx, one password attempt on email from
// client: the wait when a per-client window is over its limit (the
// attempt is refused), and whether the address is being guessed at from
// everywhere (the attempt is slowed down).
func (s *Accounts) passwordAttemptTx(tx store.AccountsTx, now time.Time, email, client string) (time.Duration, bool, error) {
	cl := clientKey(client)
	wait, err := hitLimits(tx, now, map[string]Limit{
		rateKey("login/address-client", email+"\x00"+cl): s.cfg.Accounts.LoginPerAddressClient,
		rateKey("login/client", cl):                      s.cfg.Accounts.LoginPerClient,
	})
	if err != nil || wait > 0 {
		return wait, false, err
	}
	l := s.cfg.Accounts.LoginSlowAfter
	if l.N <= 0 {
		return 0, false, nil
	}
	n, _, err := tx.HitRate(rateKey("login/address", email), now, l.Window)
	return 0, n > l.N, err
}

// slowDown waits LoginSlowdown when slow (an address guessed at from
// everywhere), or until ctx ends.
func (s *Accounts) slowDown(ctx context.Context, slow bool) error {
	d := s.cfg.Accounts.LoginSlowdown
	if !slow || d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &Error{Kind: KindUnavailable, Message: "request cancelled", Err: ctx.Err()}
	}
}
