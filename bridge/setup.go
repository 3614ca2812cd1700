package bridge

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// First run (SPEC §10): while the store has no admin, every start of
// serve issues a setup link, <public url>/setup?token=…, valid SetupTTL;
// whoever opens it chooses the first admin's address, name and password
// and is signed in. The link is a password link (store.LinkSetup, user 0),
// so it is kept as a hash, is single-use, works on every node and goes
// with the other links when they expire.

// SetupTTL is how long a setup link works.
const SetupTTL = 24 * time.Hour

// SetupLink is a new first-run link.
type SetupLink struct {
	URL       string
	ExpiresAt time.Time
}

// IssueSetupLink stores a new setup link and returns it, or nil when the
// store already has an admin.
func (s *Accounts) IssueSetupLink(ctx context.Context) (*SetupLink, error) {
	tok, err := randomToken(linkPrefix)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	exp := now.Add(SetupTTL)
	issued := false
	err = s.st.Update(ctx, func(tx store.Tx) error {
		has, err := tx.HasAdmin()
		if err != nil || has {
			issued = false
			return err
		}
		issued = true
		return tx.PutPasswordLink(tok, store.PasswordLink{Purpose: store.LinkSetup, CreatedAt: now, ExpiresAt: exp})
	})
	if err != nil || !issued {
		return nil, storeErr(err, "setup link")
	}
	return &SetupLink{URL: s.addrs.publicURL() + "/setup?token=" + url.QueryEscape(tok), ExpiresAt: exp}, nil
}

// errBadSetupLink is the one answer to a forged, used or expired setup link.
func errBadSetupLink() *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_token",
		Message: "this setup link is invalid, used or expired: restart deskgate for a new one (it prints it while there is no admin)"}
}

// CompleteSetup creates the first admin from a setup link and signs them
// in (POST /api/v1/setup). Attempts count per client before any hashing,
// like password links. Once an admin exists every setup link is refused.
func (s *Accounts) CompleteSetup(ctx context.Context, token, email, name, password, client string) (*store.User, *Session, error) {
	email = strings.TrimSpace(email)
	if !validEmail(email) {
		return nil, nil, errorf(KindInvalid, "email: a valid address is required")
	}
	if s.addrs.reservedAddress(email) {
		return nil, nil, errorf(KindInvalid, "email: %s is one of deskgate's own addresses", store.NormalizeEmail(email))
	}
	if err := checkNewPassword(password); err != nil {
		return nil, nil, err
	}
	var wait time.Duration
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		wait, err = hitLimits(tx, s.clock.Now(), map[string]Limit{rateKey("setup/client", clientKey(client)): s.cfg.Accounts.ResetPerClient})
		return err
	})
	if err != nil {
		return nil, nil, storeErr(err, "setup")
	}
	if wait > 0 {
		return nil, nil, rateLimited(wait)
	}
	var hash string
	var herr error
	if err := s.withHashSlot(ctx, func() { hash, herr = hashPassword(password, s.cfg.Accounts.Argon2) }); err != nil {
		return nil, nil, err
	}
	if herr != nil {
		return nil, nil, &Error{Kind: KindUnavailable, Message: "cannot hash password", Err: herr}
	}
	sessTok, err := randomToken(sessionPrefix)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	if name = strings.TrimSpace(name); name == "" {
		name = "Admin"
	}
	u := &store.User{Email: email, Name: name, Role: store.RoleAdmin, CreatedAt: now}
	sess := store.Session{CreatedAt: now, ExpiresAt: now.Add(s.cfg.Accounts.SessionTTL)}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		l, err := tx.TakePasswordLink(token)
		if errors.Is(err, store.ErrNotFound) {
			return errBadSetupLink()
		}
		if err != nil {
			return err
		}
		if l.Purpose != store.LinkSetup || !now.Before(l.ExpiresAt) {
			return errBadSetupLink() // rolls back: a reset link stays usable
		}
		if has, err := tx.HasAdmin(); err != nil {
			return err
		} else if has {
			return errBadSetupLink()
		}
		if _, err := tx.CustomerByEmail(email); err == nil {
			return errorf(KindConflict, "email %s belongs to a customer", store.NormalizeEmail(email))
		}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(u.ID, hash); err != nil {
			return err
		}
		sess.UserID = u.ID
		return tx.PutSession(sessTok, sess)
	})
	if err != nil {
		return nil, nil, storeErr(err, "setup")
	}
	s.log.Info("first admin created from the setup link", "user_id", u.ID, "email", u.Email)
	return u, &Session{Token: sessTok, ExpiresAt: sess.ExpiresAt}, nil
}
