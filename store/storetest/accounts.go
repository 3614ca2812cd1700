package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testSessionsPasswordsLinks: sessions and password links are found by
// their token only, survive a restart, expire by prune, and a link is
// taken once.
func testSessionsPasswordsLinks(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		if err := tx.SetPasswordHash(1, "$argon2id$one"); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(1, "$argon2id$two"); err != nil {
			return err
		}
		for i, tok := range []string{"s-a", "s-b", "s-c"} {
			user := uint64(1)
			if i == 2 {
				user = 2
			}
			if err := tx.PutSession(tok, store.Session{UserID: user, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		if err := tx.PutSession("s-old", store.Session{UserID: 2, CreatedAt: now, ExpiresAt: now.Add(-time.Second)}); err != nil {
			return err
		}
		for _, tok := range []string{"l-a", "l-b"} {
			if err := tx.PutPasswordLink(tok, store.PasswordLink{UserID: 1, Purpose: store.LinkReset, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return tx.PutPasswordLink("l-c", store.PasswordLink{UserID: 2, Purpose: store.LinkWelcome, CreatedAt: now, ExpiresAt: now.Add(-time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		if h := must(tx.PasswordHash(1)); h != "$argon2id$two" {
			t.Errorf("password hash %q, want the last one set", h)
		}
		if _, err := tx.PasswordHash(2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("password of a user without one: %v, want not found", err)
		}
		got := must(tx.Session("s-b"))
		if got.UserID != 1 || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("session s-b = %+v", got)
		}
		if _, err := tx.Session("s-"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown session: %v, want not found", err)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		ids, err := tx.DeleteUserSessions(1, "s-a")
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] != store.TokenID("s-b") {
			t.Errorf("DeleteUserSessions removed %v, want [%s] (s-b; s-a kept, s-c is another user's)", ids, store.TokenID("s-b"))
		}
		return tx.DeleteSession("s-c")
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		for tok, want := range map[string]bool{"s-a": true, "s-b": false, "s-c": false, "s-old": true} {
			_, err := tx.Session(tok)
			if (err == nil) != want {
				t.Errorf("session %s present=%v, want %v (%v)", tok, err == nil, want, err)
			}
		}
		return nil
	})

	// A link is taken once; the rest of the user's links go together.
	var taken *store.PasswordLink
	if err := update(s, func(tx store.Tx) error { var err error; taken, err = tx.TakePasswordLink("l-a"); return err }); err != nil {
		t.Fatal(err)
	}
	if taken.UserID != 1 || taken.Purpose != store.LinkReset {
		t.Errorf("taken link %+v", taken)
	}
	err = update(s, func(tx store.Tx) error { _, err := tx.TakePasswordLink("l-a"); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second take of a link: %v, want not found", err)
	}
	if err := update(s, func(tx store.Tx) error { return tx.DeleteUserPasswordLinks(1) }); err != nil {
		t.Fatal(err)
	}
	err = update(s, func(tx store.Tx) error { _, err := tx.TakePasswordLink("l-b"); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link of a user whose links were deleted: %v, want not found", err)
	}

	// Prune removes the expired session s-old and link l-c, nothing live.
	var pruned int
	if err := update(s, func(tx store.Tx) error { var err error; pruned, err = tx.PruneAccounts(now, 100); return err }); err != nil {
		t.Fatal(err)
	}
	if pruned != 2 {
		t.Errorf("pruned %d, want 2", pruned)
	}
	_ = view(s, func(tx store.Tx) error {
		if _, err := tx.Session("s-old"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session survived prune: %v", err)
		}
		if _, err := tx.Session("s-a"); err != nil {
			t.Errorf("live session pruned: %v", err)
		}
		return nil
	})
}

// testRateWindows: counts grow within a window, start again after it, and
// keys are independent.
func testRateWindows(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	hit := func(key string, at time.Time) (int, time.Time) {
		var n int
		var end time.Time
		if err := update(s, func(tx store.Tx) error { var err error; n, end, err = tx.HitRate(key, at, time.Minute); return err }); err != nil {
			t.Fatal(err)
		}
		return n, end
	}
	for i := 1; i <= 3; i++ {
		n, end := hit("k1", now.Add(time.Duration(i)*time.Second))
		if n != i || !end.Equal(now.Add(time.Second+time.Minute)) {
			t.Fatalf("hit %d: count %d, end %v; want %d, %v", i, n, end, i, now.Add(time.Second+time.Minute))
		}
	}
	if n, _ := hit("k2", now); n != 1 {
		t.Errorf("another key counts %d, want 1", n)
	}
	later := now.Add(time.Second + time.Minute)
	if n, end := hit("k1", later); n != 1 || !end.Equal(later.Add(time.Minute)) {
		t.Errorf("after the window: count %d end %v, want 1, %v", n, end, later.Add(time.Minute))
	}
	var pruned int
	if err := update(s, func(tx store.Tx) error {
		var err error
		pruned, err = tx.PruneAccounts(now.Add(time.Minute), 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if pruned != 1 {
		t.Errorf("pruned %d rate windows, want 1 (k2's)", pruned)
	}
}

// testTeamsInvitations: team names are unique case-insensitively;
// invitations are found by user and by team.
func testTeamsInvitations(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	tm := &store.Team{Name: "Support", UserIDs: []uint64{1, 2}}
	if err := update(s, func(tx store.Tx) error { return tx.CreateTeam(tm) }); err != nil {
		t.Fatal(err)
	}
	err := update(s, func(tx store.Tx) error { return tx.CreateTeam(&store.Team{Name: " support "}) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("second team named support: %v, want conflict", err)
	}
	invs := []*store.Invitation{
		{ProjectID: 1, UserID: 5, InvitedBy: 1, Status: store.InvitationPending},
		{ProjectID: 1, TeamID: tm.ID, InvitedBy: 1, Status: store.InvitationPending},
		{ProjectID: 2, UserID: 6, InvitedBy: 1, Status: store.InvitationPending},
	}
	err = update(s, func(tx store.Tx) error {
		for _, inv := range invs {
			if err := tx.CreateInvitation(inv); err != nil {
				return err
			}
		}
		invs[0].Status = store.InvitationAccepted
		return tx.PutInvitation(invs[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		teams := must(tx.Teams())
		if len(teams) != 1 || teams[0].Name != "Support" || len(teams[0].UserIDs) != 2 {
			t.Errorf("teams %+v", teams)
		}
		got := must(tx.InvitationsOf(5, []uint64{tm.ID}))
		if len(got) != 2 || got[0].ID != invs[0].ID || got[1].ID != invs[1].ID || got[0].Status != store.InvitationAccepted {
			t.Errorf("invitations of user 5 and team %d: %+v", tm.ID, got)
		}
		if got := must(tx.InvitationsOf(7, nil)); len(got) != 0 {
			t.Errorf("invitations of a user without any: %+v", got)
		}
		if _, err := tx.Invitation(99); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown invitation: %v", err)
		}
		return nil
	})
}
