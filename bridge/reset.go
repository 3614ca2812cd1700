package bridge

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Password links (SPEC §10): a single-use link valid ResetTTL (password
// reset) or WelcomeTTL (a new user's first password), stored as the
// SHA-256 of its 256-bit token, <public url>/reset-password?token=…

// passwordLinkURL is the link that carries token.
func (s *Accounts) passwordLinkURL(token string) string {
	return s.addrs.publicURL() + "/reset-password?token=" + url.QueryEscape(token)
}

// issueLinkTx stores a new password link for u in tx and emails it with
// template name. It reports whether it queued the email.
func (s *Accounts) issueLinkTx(tx passwordLinkTx, u *store.User, purpose, name string, ttl time.Duration, now time.Time) (bool, error) {
	tok, err := randomToken(linkPrefix)
	if err != nil {
		return false, err
	}
	exp := now.Add(ttl)
	if err := tx.PutPasswordLink(tok, store.PasswordLink{UserID: u.ID, Purpose: purpose, CreatedAt: now, ExpiresAt: exp}); err != nil {
		return false, err
	}
	return s.sendAccountEmail(tx, name, u, map[string]any{"Link": s.passwordLinkURL(tok), "ExpiresIn": inWords(ttl)})
}

// RequestPasswordReset emails a password-reset link to the user with that
// address, if there is one (POST /auth/password-reset). It answers the
// same for any address: the rate-limit writes, the lookup and, for a
// user, the link and its queued email all happen in one transaction, so
// an address with an account costs no extra commit. Beyond the
// per-address limit no further email goes out; beyond the per-client
// limit the answer is 429 whatever the address.
func (s *Accounts) RequestPasswordReset(ctx context.Context, email, client string) error {
	email = store.NormalizeEmail(email)
	now := s.clock.Now()
	var wait time.Duration
	queued := false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		queued = false
		var err error
		wait, err = hitLimits(tx, now, map[string]Limit{rateKey("reset/client", clientKey(client)): s.cfg.Accounts.ResetPerClient})
		if err != nil || wait > 0 {
			return err
		}
		// Quietly over either: a flood of resets must not flood a mailbox.
		// The address's own window counts only requests within the
		// client's, so one stranger cannot use it up (lockout.go).
		over, err := hitLimits(tx, now, map[string]Limit{rateKey("reset/address-client", email+"\x00"+clientKey(client)): s.cfg.Accounts.ResetPerAddressClient})
		if err != nil || over > 0 {
			return err
		}
		over, err = hitLimits(tx, now, map[string]Limit{rateKey("reset/address", email): s.cfg.Accounts.ResetPerAddress})
		if err != nil || over > 0 {
			return err
		}
		u, err := tx.UserByEmail(email)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		queued, err = s.issueLinkTx(tx, u, store.LinkReset, TemplatePasswordReset, s.cfg.Accounts.ResetTTL, now)
		return err
	})
	if err != nil {
		return storeErr(err, "password reset")
	}
	if wait > 0 {
		return rateLimited(wait)
	}
	s.notes.kick(queued)
	return nil
}

// errBadLink is the one answer to a forged, used or expired link.
func errBadLink() *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_token", Message: "this password link is invalid, used or expired: ask for a new one"}
}

// ConfirmPasswordReset sets the password of the link's user, uses the link
// up (and every other link of the user) and ends every session of the
// user and every API token minted from a session (POST
// /auth/password-reset/confirm). It returns what ended and the tokens
// that still work.
//
// Attempts count per client (ResetPerClient, like reset requests) before
// any hashing, so a flood of forged tokens costs a store write each, not
// an argon2id hash each.
func (s *Accounts) ConfirmPasswordReset(ctx context.Context, token, password, client string) (*CredentialsEnded, error) {
	if err := checkNewPassword(password); err != nil {
		return nil, err
	}
	var wait time.Duration
	err := s.st.Update(ctx, func(tx store.Tx) error {
		var err error
		wait, err = hitLimits(tx, s.clock.Now(), map[string]Limit{rateKey("confirm/client", clientKey(client)): s.cfg.Accounts.ResetPerClient})
		return err
	})
	if err != nil {
		return nil, storeErr(err, "password link")
	}
	if wait > 0 {
		return nil, rateLimited(wait)
	}
	// Hash first (outside any transaction: it takes tens of ms), so the
	// transaction that takes the link is short.
	var hash string
	var herr error
	if err := s.withHashSlot(ctx, func() { hash, herr = hashPassword(password, s.cfg.Accounts.Argon2) }); err != nil {
		return nil, err
	}
	if herr != nil {
		return nil, &Error{Kind: KindUnavailable, Message: "cannot hash password", Err: herr}
	}
	now := s.clock.Now()
	var userID uint64
	var ended *CredentialsEnded
	err = s.st.Update(ctx, func(tx store.Tx) error {
		l, err := tx.TakePasswordLink(token)
		if errors.Is(err, store.ErrNotFound) {
			return errBadLink()
		}
		if err != nil {
			return err
		}
		if !now.Before(l.ExpiresAt) {
			return errBadLink() // rolls back: the expired link is pruned later
		}
		if _, err := tx.User(l.UserID); err != nil {
			return errBadLink()
		}
		userID = l.UserID
		if err := tx.SetPasswordHash(l.UserID, hash); err != nil {
			return err
		}
		if err := tx.DeleteUserPasswordLinks(l.UserID); err != nil {
			return err
		}
		ended, err = endCredentialsTx(tx, l.UserID, "", "")
		return err
	})
	if err != nil {
		return nil, storeErr(err, "password link")
	}
	s.closeStreams(ended.streams)
	s.log.Info("password set by link; sessions and session-minted tokens ended", "user_id", userID,
		"sessions", ended.Sessions, "tokens_revoked", len(ended.TokensRevoked), "tokens_kept", len(ended.TokensKept))
	return ended, nil
}

// ChangePassword sets the caller's own password (PUT /me/password). With a
// password already set, current must match it; attempts count against the
// address's sign-in limits from the client (passwordAttemptTx). Every other session of the caller ends, and
// every API token minted from a session; the caller's own session or
// token, whichever it used, stays.
func (s *Accounts) ChangePassword(ctx context.Context, c Caller, current, password, client string) error {
	if !c.IsStaff() {
		return errorf(KindNotFound, "not found")
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	// Guesses of current_password (a stolen session trying to take the
	// account over) count like sign-in attempts of the address, from
	// this client.
	var old string
	var wait time.Duration
	var slow bool
	err := s.st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.User(c.ID)
		if err != nil {
			return err
		}
		wait, slow, err = s.passwordAttemptTx(tx, s.clock.Now(), u.Email, client)
		if err != nil || wait > 0 {
			return err
		}
		h, err := tx.PasswordHash(c.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		old = h
		return err
	})
	if err != nil {
		return storeErr(err, "password")
	}
	if wait > 0 {
		return rateLimited(wait)
	}
	if err := s.slowDown(ctx, slow); err != nil {
		return err
	}
	var hash string
	var ok = true
	var herr error
	if err := s.withHashSlot(ctx, func() {
		if old != "" {
			ok, herr = verifyPassword(current, old)
			if herr != nil || !ok {
				return
			}
		}
		hash, herr = hashPassword(password, s.cfg.Accounts.Argon2)
	}); err != nil {
		return err
	}
	if !ok {
		return &Error{Kind: KindForbidden, Code: "wrong_password", Message: "current_password: does not match"}
	}
	if herr != nil {
		return &Error{Kind: KindUnavailable, Message: "cannot hash password", Err: herr}
	}
	var ended *CredentialsEnded
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.SetPasswordHash(c.ID, hash); err != nil {
			return err
		}
		if err := tx.DeleteUserPasswordLinks(c.ID); err != nil {
			return err
		}
		keepToken := ""
		if !c.IsSession() {
			keepToken = c.TokenID // the API token making the change stays
		}
		var err error
		ended, err = endCredentialsTx(tx, c.ID, c.session, keepToken)
		return err
	})
	if err != nil {
		return storeErr(err, "password")
	}
	s.closeStreams(ended.streams)
	return nil
}
