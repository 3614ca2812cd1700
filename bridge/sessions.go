package bridge

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// AccountsConfig configures sign-in, sessions, password links and their
// rate limits (SPEC §10). Zero fields take the defaults.
type AccountsConfig struct {
	// SessionTTL is how long a session token works; default 12h.
	SessionTTL time.Duration
	// ResetTTL is how long a password-reset link works; default 1h.
	ResetTTL time.Duration
	// WelcomeTTL is how long a new user's set-password link works;
	// default 72h.
	WelcomeTTL time.Duration
	// Password attempts (sign-in, PUT /me/password) per address and
	// client together (default 10 per 15 min) and per client (default 50
	// per 5 min): beyond either, 429. Strangers' attempts never refuse
	// the owner on a client of its own (lockout.go).
	LoginPerAddressClient, LoginPerClient Limit
	// LoginSlowAfter: the attempts on one address from all clients beyond
	// N per Window (default 10 per 15 min) each wait LoginSlowdown
	// (default 1s) before the password is checked; never refused.
	LoginSlowAfter Limit
	LoginSlowdown  time.Duration
	// Password-reset requests per address and client together (default 3
	// per hour) and per address from all clients (default 10 per hour):
	// beyond either no more emails, still 202. Per client (default 20 per
	// hour): beyond it 429.
	ResetPerAddressClient, ResetPerAddress, ResetPerClient Limit
	// Argon2 are the password hash's parameters; default DefaultArgon2.
	Argon2 Argon2Params
	// MaxConcurrentHashes bounds password hashes running at once; default 4.
	MaxConcurrentHashes int
}

func (c *AccountsConfig) defaults() {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setDur(&c.SessionTTL, 12*time.Hour)
	setDur(&c.ResetTTL, time.Hour)
	setDur(&c.WelcomeTTL, 72*time.Hour)
	setLimit := func(l *Limit, n int, w time.Duration) {
		if l.N == 0 && l.Window == 0 {
			*l = Limit{N: n, Window: w}
		}
	}
	setLimit(&c.LoginPerAddressClient, 10, 15*time.Minute)
	setLimit(&c.LoginPerClient, 50, 5*time.Minute)
	setLimit(&c.LoginSlowAfter, 10, 15*time.Minute)
	setDur(&c.LoginSlowdown, time.Second)
	setLimit(&c.ResetPerAddressClient, 3, time.Hour)
	setLimit(&c.ResetPerAddress, 10, time.Hour)
	setLimit(&c.ResetPerClient, 20, time.Hour)
	if c.Argon2 == (Argon2Params{}) {
		c.Argon2 = DefaultArgon2
	}
	if c.MaxConcurrentHashes <= 0 {
		c.MaxConcurrentHashes = 4
	}
}

// publicURL starts the links in account emails (DESKGATE_PUBLIC_URL,
// SetPublicURL), without a trailing slash.
func (s *Addresses) publicURL() string { return strings.TrimRight(s.cfg.PublicURL, "/") }

// Token prefixes: the kind of a bearer token is seen at a glance (and by
// secret scanners). The rest is 256 random bits, URL-safe base64.
const (
	sessionPrefix = "dgs_"
	linkPrefix    = "dgr_"
)

// randomToken returns prefix + 256 random bits.
func randomToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", &Error{Kind: KindUnavailable, Message: "cannot create token", Err: fmt.Errorf("random token: %w", err)}
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Session is a new sign-in session.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// errBadLogin is the one answer to a wrong address, a wrong password, a
// customer's address and a user without a password: nothing tells them apart.
func errBadLogin() *Error {
	return &Error{Kind: KindUnauthorized, Code: "invalid_credentials", Message: "wrong email or password"}
}

// Login checks email and password and opens a session (POST /auth/login).
// client is the client's IP address, for the rate limit. A wrong address
// costs the same work as a wrong password: the same store reads and
// writes and one argon2id verification against a dummy hash.
func (s *Accounts) Login(ctx context.Context, email, password, client string) (*Session, error) {
	email = store.NormalizeEmail(email)
	now := s.clock.Now()
	var wait time.Duration
	var slow bool
	var hash string
	var userID uint64
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		wait, slow, err = s.passwordAttemptTx(tx, now, email, client)
		if err != nil || wait > 0 {
			return err
		}
		hash, userID = "", 0
		u, err := tx.UserByEmail(email)
		if errors.Is(err, store.ErrNotFound) || err == nil && !u.RetiredAt.IsZero() {
			return nil // a retired user signs in no more (SPEC §14)
		}
		if err != nil {
			return err
		}
		h, err := tx.PasswordHash(u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		hash, userID = h, u.ID
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "sign-in")
	}
	if wait > 0 {
		return nil, rateLimited(wait)
	}
	if err := s.slowDown(ctx, slow); err != nil {
		return nil, err
	}
	ok := false
	if err := s.withHashSlot(ctx, func() {
		against := hash
		if against == "" {
			against = s.dummyHash
		}
		match, verr := verifyPassword(password, against)
		if verr != nil {
			s.log.Error("stored password hash unreadable", "user_id", userID, "err", verr)
		}
		ok = match && hash != "" && verr == nil
	}); err != nil {
		return nil, err
	}
	if !ok || len(password) > MaxPasswordLen {
		return nil, errBadLogin()
	}
	tok, err := randomToken(sessionPrefix)
	if err != nil {
		return nil, err
	}
	sess := store.Session{UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.Accounts.SessionTTL)}
	err = s.st.Update(ctx, func(tx store.Tx) error { return tx.PutSession(tok, sess) })
	if err != nil {
		return nil, storeErr(err, "session")
	}
	s.log.Info("signed in", "user_id", userID)
	return &Session{Token: tok, ExpiresAt: sess.ExpiresAt}, nil
}

// sessionCaller resolves a session token, in tx; ErrNotFound when it is
// unknown or expired.
func (s *Accounts) sessionCaller(tx credentialsTx, token string) (Caller, error) {
	sess, err := tx.Session(token)
	if err != nil {
		return Caller{}, err
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return Caller{}, store.ErrNotFound
	}
	u, err := tx.User(sess.UserID)
	if err != nil {
		return Caller{}, err
	}
	if !u.RetiredAt.IsZero() {
		return Caller{}, store.ErrNotFound
	}
	return Caller{Kind: store.KindUser, ID: u.ID, Role: u.Role, session: token, TokenID: store.TokenID(token), viaSession: true}, nil
}

// Logout ends the caller's session (DELETE /auth/session). An API token is
// not a session: it stays valid and the answer is 404.
func (s *Accounts) Logout(ctx context.Context, c Caller) error {
	if !c.IsStaff() {
		return errorf(KindNotFound, "not found")
	}
	if c.session == "" {
		return errorf(KindNotFound, "this token is an API token, not a session")
	}
	if err := s.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteSession(c.session) }); err != nil {
		return storeErr(err, "session")
	}
	s.closeStreams([]string{c.TokenID})
	return nil
}

// closeStreams ends the event streams of ended sessions (by TokenID).
// Only this node's streams: one held open on another node stays until
// it ends (as for a revoked API token), but its token no longer works.
func (s *Accounts) closeStreams(tokenIDs []string) {
	for _, id := range tokenIDs {
		s.streams.closeToken(id)
	}
}
