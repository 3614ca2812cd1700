package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

func testTokensListTouchRevoke(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		for i, tok := range []string{"tok-b", "tok-a"} {
			minted := []string{store.MintedSession, store.MintedAdmin}[i]
			if err := tx.PutToken(tok, store.Principal{Kind: store.KindUser, ID: 1, CreatedAt: at.Add(time.Duration(i) * time.Minute), Minted: minted}); err != nil {
				return err
			}
		}
		return tx.PutToken("tok-c", store.Principal{Kind: store.KindCustomer, ID: 1, CreatedAt: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := update(s, func(tx store.Tx) error { return tx.TouchToken("tok-a", at.Add(time.Hour)) }); err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		ts := must(tx.Tokens(store.KindUser, 1))
		if len(ts) != 2 || ts[0].ID != store.TokenID("tok-b") || ts[1].ID != store.TokenID("tok-a") ||
			!ts[1].LastUsed.Equal(at.Add(time.Hour)) || !ts[0].LastUsed.IsZero() || !ts[0].CreatedAt.Equal(at) ||
			ts[0].Minted != store.MintedSession || ts[1].Minted != store.MintedAdmin {
			t.Fatalf("tokens of user 1 (oldest first): %+v", ts)
		}
		if ts := must(tx.Tokens(store.KindCustomer, 1)); len(ts) != 1 {
			t.Fatalf("tokens of customer 1: %+v", ts)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		// Someone else's token, or no such id: not found.
		if err := tx.DeleteToken(store.KindUser, 1, store.TokenID("tok-c")); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("revoking another owner's token: %v", err)
		}
		if err := tx.DeleteToken(store.KindUser, 1, "zz"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("revoking a malformed id: %v", err)
		}
		return tx.DeleteToken(store.KindUser, 1, store.TokenID("tok-a"))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = update(s, func(tx store.Tx) error {
		if _, err := tx.TokenPrincipal("tok-a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a revoked token still authenticates: %v", err)
		}
		if err := tx.TouchToken("tok-a", at); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("touching a revoked token: %v", err)
		}
		if p, err := tx.TokenPrincipal("tok-b"); err != nil || p.ID != 1 || p.Minted != store.MintedSession {
			t.Fatalf("the other token: %v %v", p, err)
		}
		return nil
	})
}

// EvictMailLog deletes the oldest entries until the log fits, and no more.
func testMailLogEviction(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		for i := range 10 {
			e := &store.MailLogEntry{Direction: store.DirInbound, At: at.Add(time.Duration(i) * time.Second), Subject: fmt.Sprint(i), Status: "created"}
			if err := tx.AddMailLog(e, make([]byte, 10_000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = update(s, func(tx store.Tx) error {
		var err error
		n, err = tx.EvictMailLog(55_000, 100) // about half of the ~100 KB
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		left := must(tx.ListMailLog(store.MailLogQuery{}))
		if n < 4 || n > 6 || len(left) != 10-n || left[len(left)-1].Subject != fmt.Sprint(n) {
			t.Fatalf("evicted %d, left %d (oldest %q)", n, len(left), left[len(left)-1].Subject)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		var err error
		n, err = tx.EvictMailLog(1<<30, 100)
		return err
	})
	if err != nil || n != 0 {
		t.Fatalf("evicting under the bound: %d %v", n, err)
	}
}
