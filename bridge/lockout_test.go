package bridge_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store/storetest"
)

// countingOutbox counts the emails queued per template.
type countingOutbox struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *countingOutbox) Enqueue(_ bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n[e.Template]++
	return uint64(o.n[e.Template]), nil
}
func (o *countingOutbox) Kick() {}
func (o *countingOutbox) count(tmpl string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[tmpl]
}

const slowdown = 300 * time.Millisecond

// lockoutService is a service on the test backend with an agent whose
// password is "owner password", and a session of it.
func lockoutService(t *testing.T) (*bridge.Service, *countingOutbox, bridge.Caller) {
	t.Helper()
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test", UnseenDelay: time.Minute,
		TokenKey: []byte("test key, 32 bytes long........."), PublicURL: "https://desk.test",
		Accounts: bridge.AccountsConfig{Argon2: bridge.Argon2Params{Memory: 64, Time: 1, Threads: 1}, LoginSlowdown: slowdown}},
		clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)), nil)
	out := &countingOutbox{n: map[string]int{}}
	svc.SetOutbox(out)
	ctx := context.Background()
	if _, err := svc.Directory.Bootstrap(ctx, "admin-token"); err != nil {
		t.Fatal(err)
	}
	admin, _ := svc.Accounts.Authenticate(ctx, "admin-token")
	u, err := svc.Directory.CreateUser(ctx, admin, "agent@support.test", "Agent", "agent")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := svc.Directory.CreateUserToken(ctx, admin, u.ID)
	agent, _ := svc.Accounts.Authenticate(ctx, tok)
	if err := svc.Accounts.ChangePassword(ctx, agent, "", "owner password", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	return svc, out, agent
}

// Strangers guessing at an account from their own clients are refused
// there, but the owner signs in from a client that has not failed (after
// at most the short slowdown), and changes its password (issue 20).
func TestStrangersDoNotLockTheOwnerOut(t *testing.T) {
	svc, _, _ := lockoutService(t)
	ctx := context.Background()
	for _, stranger := range []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"} {
		for i := range 10 {
			if _, err := svc.Accounts.Login(ctx, "agent@support.test", "guess", stranger); bridge.KindOf(err) != bridge.KindUnauthorized {
				t.Fatalf("guess %d from %s: %v", i, stranger, err)
			}
		}
		if _, err := svc.Accounts.Login(ctx, "agent@support.test", "owner password", stranger); bridge.KindOf(err) != bridge.KindRateLimited {
			t.Fatalf("the 11th attempt from %s: %v, want rate limited", stranger, err)
		}
	}
	start := time.Now()
	sess, err := svc.Accounts.Login(ctx, "agent@support.test", "owner password", "198.51.100.7")
	if err != nil {
		t.Fatalf("the owner is locked out by strangers' failures: %v", err)
	}
	if took := time.Since(start); took < slowdown {
		t.Errorf("an account guessed at from everywhere was not slowed down (%s)", took)
	}
	owner, err := svc.Accounts.Authenticate(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}

	// PUT /me/password: a stolen session guessing current_password from
	// its client is refused there; the owner's change still goes through.
	for range 10 {
		if err := svc.Accounts.ChangePassword(ctx, owner, "guess", "thief password", "203.0.113.9"); bridge.KindOf(err) != bridge.KindForbidden {
			t.Fatalf("guessing current_password: %v", err)
		}
	}
	if err := svc.Accounts.ChangePassword(ctx, owner, "owner password", "thief password", "203.0.113.9"); bridge.KindOf(err) != bridge.KindRateLimited {
		t.Fatalf("the thief's 11th guess: %v, want rate limited", err)
	}
	if err := svc.Accounts.ChangePassword(ctx, owner, "owner password", "new owner password", "198.51.100.7"); err != nil {
		t.Fatalf("the owner cannot change its password: %v", err)
	}
}

// A stranger asking for resets of someone's address uses up only its own
// window: the owner still gets its reset email.
func TestStrangersDoNotUseUpTheOwnersResetEmails(t *testing.T) {
	svc, out, _ := lockoutService(t)
	ctx := context.Background()
	for range 5 {
		if err := svc.Accounts.RequestPasswordReset(ctx, "agent@support.test", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := out.count(bridge.TemplatePasswordReset); n != 3 {
		t.Fatalf("%d reset emails for a stranger's 5 requests, want 3", n)
	}
	if err := svc.Accounts.RequestPasswordReset(ctx, "agent@support.test", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if n := out.count(bridge.TemplatePasswordReset); n != 4 {
		t.Fatalf("the owner's request sent no email (%d in all)", n)
	}
	// From all clients together an address gets at most 10 an hour.
	for i := range 20 {
		_ = svc.Accounts.RequestPasswordReset(ctx, "agent@support.test", fmt.Sprintf("10.0.0.%d", i))
	}
	if n := out.count(bridge.TemplatePasswordReset); n != 10 {
		t.Fatalf("%d reset emails to one address in an hour, want 10", n)
	}
}
