package bridge

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// validEmail checks an address is a bare addr-spec (no display name).
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == strings.TrimSpace(s) && strings.Contains(a.Address, "@")
}

// CreateUser adds a staff user. Only an admin may.
func (s *Directory) CreateUser(ctx context.Context, c Caller, email, name, role string) (*store.User, error) {
	if !c.IsAdmin() {
		return nil, errorf(KindForbidden, "only an admin may create users")
	}
	if !validEmail(email) {
		return nil, errorf(KindInvalid, "email: a valid address is required")
	}
	if s.addrs.reservedAddress(email) {
		return nil, errorf(KindInvalid, "email: %s is one of deskgate's own addresses", store.NormalizeEmail(email))
	}
	if role == "" {
		role = store.RoleAgent
	}
	if role != store.RoleAdmin && role != store.RoleAgent {
		return nil, errorf(KindInvalid, "role: must be admin or agent")
	}
	now := s.clock.Now()
	u := &store.User{Email: email, Name: strings.TrimSpace(name), Role: role, CreatedAt: now}
	queued := false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		queued = false
		if _, err := tx.CustomerByEmail(email); err == nil {
			return errorf(KindConflict, "email %s belongs to a customer", store.NormalizeEmail(email))
		}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		// welcome, with a link to choose a first password (SPEC §10),
		// when the system email is enabled.
		var err error
		queued, err = s.acct.issueLinkTx(tx, u, store.LinkWelcome, TemplateWelcome, s.cfg.Accounts.WelcomeTTL, now)
		return err
	})
	if err != nil {
		return nil, storeErr(err, "user "+email)
	}
	s.notes.kick(queued)
	return u, nil
}

// CreateUserToken issues a new API token for user id. An admin may for
// anyone, a user only for itself.
func (s *Directory) CreateUserToken(ctx context.Context, c Caller, id uint64) (string, error) {
	if !c.IsAdmin() && !(c.IsStaff() && c.ID == id) {
		if c.IsStaff() {
			return "", errorf(KindForbidden, "only an admin may create a token for another user")
		}
		return "", notFound("user", id)
	}
	return s.issueToken(ctx, c, store.Principal{Kind: store.KindUser, ID: id}, func(tx store.PeopleTx) error {
		_, err := tx.User(id)
		return err
	})
}

// CreateCustomer adds a customer. Staff may.
func (s *Directory) CreateCustomer(ctx context.Context, c Caller, email, name string) (*store.Customer, error) {
	if !c.IsStaff() {
		return nil, errorf(KindForbidden, "only staff may create customers")
	}
	if !validEmail(email) {
		return nil, errorf(KindInvalid, "email: a valid address is required")
	}
	if s.addrs.reservedAddress(email) {
		return nil, errorf(KindInvalid, "email: %s is one of deskgate's own addresses", store.NormalizeEmail(email))
	}
	cu := &store.Customer{Email: email, Name: strings.TrimSpace(name), CreatedAt: s.clock.Now()}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.UserByEmail(email); err == nil {
			return errorf(KindConflict, "email %s belongs to a user", store.NormalizeEmail(email))
		}
		return tx.CreateCustomer(cu)
	})
	return cu, storeErr(err, "customer "+email)
}

// CreateCustomerToken issues a token for customer id (a chat widget or
// portal acts as the customer with it). An admin may for anyone, a
// customer for itself.
func (s *Directory) CreateCustomerToken(ctx context.Context, c Caller, id uint64) (string, error) {
	if !c.IsAdmin() && !(c.IsCustomer() && c.ID == id) {
		if c.IsStaff() {
			return "", errorf(KindForbidden, "only an admin may create a token for a customer")
		}
		return "", notFound("customer", id)
	}
	return s.issueToken(ctx, c, store.Principal{Kind: store.KindCustomer, ID: id}, func(tx store.PeopleTx) error {
		_, err := tx.Customer(id)
		return err
	})
}

// MaxTokensPerOwner bounds the API tokens one user or customer holds at
// once: a token may mint tokens for its own owner, and without a bound a
// customer's token could grow the store without end (and hold 20 event
// streams per token). Revoking one makes room.
const MaxTokensPerOwner = 100

// issueToken stores a new token for p, minted by c, after check passes in
// the same transaction; an owner that holds MaxTokensPerOwner already is
// refused.
func (s *Directory) issueToken(ctx context.Context, c Caller, p store.Principal, check func(store.PeopleTx) error) (string, error) {
	p.Minted = mintedBy(c, p)
	tok, err := newToken()
	if err != nil {
		return "", &Error{Kind: KindUnavailable, Message: "cannot create token", Err: err}
	}
	err = s.st.Update(ctx, func(tx store.Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		held, err := tx.Tokens(p.Kind, p.ID)
		if err != nil {
			return err
		}
		if len(held) >= MaxTokensPerOwner {
			return &Error{Kind: KindInvalid, Code: "too_many_tokens",
				Message: fmt.Sprintf("this %s holds %d tokens already, the most it may: revoke one first (DELETE …/tokens/{token_id})", p.Kind, len(held))}
		}
		p.CreatedAt = s.clock.Now()
		return tx.PutToken(tok, p)
	})
	if err != nil {
		return "", storeErr(err, p.Kind)
	}
	return tok, nil
}

// Bootstrap creates the first admin, admin@<first domain>, with token as its
// API token, when the store has no admin yet (DESKGATE_BOOTSTRAP_TOKEN). It
// reports whether it created one.
func (s *Directory) Bootstrap(ctx context.Context, token string) (bool, error) {
	if token == "" || len(s.cfg.Domains) == 0 {
		return false, nil
	}
	created := false
	err := s.st.Update(ctx, func(tx store.Tx) error {
		has, err := tx.HasAdmin()
		if err != nil || has {
			return err
		}
		u := &store.User{Email: "admin@" + s.cfg.Domains[0], Name: "Admin", Role: store.RoleAdmin, CreatedAt: s.clock.Now()}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		created = true
		return tx.PutToken(token, store.Principal{Kind: store.KindUser, ID: u.ID, CreatedAt: s.clock.Now(), Minted: store.MintedBootstrap})
	})
	return created, storeErr(err, "bootstrap admin")
}
