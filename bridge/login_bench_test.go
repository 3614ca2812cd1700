package bridge_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store/storetest"
)

// BenchmarkLogin: a wrong password, an unknown address, a customer's
// address and a right password, with the real argon2id parameters. The
// first three must cost alike (SPEC §10: nothing tells whether an address
// has an account); compare their ns/op.
func BenchmarkLogin(b *testing.B) {
	st := storetest.Open(b, b.TempDir())
	b.Cleanup(func() { st.Close() })
	many := bridge.Limit{N: 1 << 30, Window: time.Hour}
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test", UnseenDelay: time.Minute,
		TokenKey: []byte("bench key, 32 bytes long........"),
		Accounts: bridge.AccountsConfig{LoginPerAddressClient: many, LoginPerClient: many, LoginSlowAfter: many}}, nil, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if _, err := svc.Directory.Bootstrap(ctx, "bench-admin"); err != nil {
		b.Fatal(err)
	}
	admin, err := svc.Accounts.Authenticate(ctx, "bench-admin")
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.Directory.CreateUser(ctx, admin, "agent@support.test", "Agent", "agent")
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := svc.Directory.CreateUserToken(ctx, admin, u.ID)
	agent, _ := svc.Accounts.Authenticate(ctx, tok)
	if err := svc.Accounts.ChangePassword(ctx, agent, "", "correct horse", "192.0.2.1"); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Directory.CreateCustomer(ctx, admin, "carol@example.com", "Carol"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, email, password string }{
		{"wrong_password", "agent@support.test", "wrong horse"},
		{"unknown_address", "nobody@support.test", "wrong horse"},
		{"customer_address", "carol@example.com", "wrong horse"},
		{"right_password", "agent@support.test", "correct horse"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				_, err := svc.Accounts.Login(ctx, c.email, c.password, "192.0.2.1")
				if (err == nil) != (c.password == "correct horse") {
					b.Fatalf("login %s: %v", c.name, err)
				}
			}
		})
	}
}
