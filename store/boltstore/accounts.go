package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/deskgate/deskgate/store"
)

// Buckets of the account records (SPEC §10).
var (
	bPasswords     = []byte("passwords")      // u64(user) → argon2id string
	bSessions      = []byte("sessions")       // sha256(token) → store.Session
	bUserSessions  = []byte("user_sessions")  // u64(user) + sha256(token) → nil
	bPassLinks     = []byte("password_links") // sha256(token) → store.PasswordLink
	bUserPassLinks = []byte("user_password_links")
	bRates         = []byte("rate_windows") // key → rateWindow
	bTeams         = []byte("teams")        // u64(id) → store.Team
	bTeamNames     = []byte("team_names")   // lower-cased name → u64(id)
	bInvitations   = []byte("invitations")  // u64(id) → store.Invitation
	// bInvitationsBy indexes invitations by invitee: 'u' or 't', the user
	// or team id, then the invitation id (all big-endian).
	bInvitationsBy = []byte("invitations_by")
)

// rateWindow is one fixed rate-limit window.
type rateWindow struct {
	End   time.Time `json:"end"`
	Count int       `json:"count"`
}

// SetPasswordHash stores user id's password hash.
func (t *Tx) SetPasswordHash(userID uint64, hash string) error {
	return t.b(bPasswords).Put(u64(userID), []byte(hash))
}

// PasswordHash returns user id's password hash, or ErrNotFound.
func (t *Tx) PasswordHash(userID uint64) (string, error) {
	v := t.b(bPasswords).Get(u64(userID))
	if v == nil {
		return "", fmt.Errorf("password of user %d: %w", userID, store.ErrNotFound)
	}
	return string(v), nil
}

// userKey is a per-user index key: the user id, then a token hash.
func userKey(userID uint64, hash []byte) []byte {
	return append(u64(userID), hash...)
}

// PutSession stores the hash of token as s.
func (t *Tx) PutSession(token string, s store.Session) error {
	h := tokenKey(token)
	if err := putJSON(t.b(bSessions), h, s); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return t.b(bUserSessions).Put(userKey(s.UserID, h), nil)
}

// Session returns the session of token, or ErrNotFound.
func (t *Tx) Session(token string) (*store.Session, error) {
	var s store.Session
	ok, err := getJSON(t.b(bSessions), tokenKey(token), &s)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &s, nil
}

// DeleteSession removes the session of token, if any.
func (t *Tx) DeleteSession(token string) error {
	return t.deleteSessionHash(tokenKey(token))
}

func (t *Tx) deleteSessionHash(h []byte) error {
	var s store.Session
	ok, err := getJSON(t.b(bSessions), h, &s)
	if err != nil || !ok {
		return err
	}
	if err := t.b(bUserSessions).Delete(userKey(s.UserID, h)); err != nil {
		return err
	}
	return t.b(bSessions).Delete(h)
}

// DeleteUserSessions removes every session of user id but keep's.
func (t *Tx) DeleteUserSessions(userID uint64, keep string) ([]string, error) {
	var keepHash []byte
	if keep != "" {
		keepHash = tokenKey(keep)
	}
	hashes := prefixSuffixes(t.b(bUserSessions), u64(userID))
	var ids []string
	for _, h := range hashes {
		if bytes.Equal(h, keepHash) {
			continue
		}
		if err := t.deleteSessionHash(h); err != nil {
			return ids, err
		}
		ids = append(ids, hex.EncodeToString(h[:8]))
	}
	return ids, nil
}

// prefixSuffixes returns, copied, what follows prefix in each key of b
// that starts with it.
func prefixSuffixes(b bucket, prefix []byte) [][]byte {
	var out [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, bytes.Clone(k[len(prefix):]))
	}
	return out
}

// PutPasswordLink stores the hash of token as l.
func (t *Tx) PutPasswordLink(token string, l store.PasswordLink) error {
	h := tokenKey(token)
	if err := putJSON(t.b(bPassLinks), h, l); err != nil {
		return fmt.Errorf("put password link: %w", err)
	}
	return t.b(bUserPassLinks).Put(userKey(l.UserID, h), nil)
}

// TakePasswordLink removes the link of token and returns it.
func (t *Tx) TakePasswordLink(token string) (*store.PasswordLink, error) {
	h := tokenKey(token)
	var l store.PasswordLink
	ok, err := getJSON(t.b(bPassLinks), h, &l)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	if err := t.b(bUserPassLinks).Delete(userKey(l.UserID, h)); err != nil {
		return nil, err
	}
	return &l, t.b(bPassLinks).Delete(h)
}

// DeleteUserPasswordLinks removes every password link of user id.
func (t *Tx) DeleteUserPasswordLinks(userID uint64) error {
	for _, h := range prefixSuffixes(t.b(bUserPassLinks), u64(userID)) {
		if err := t.b(bPassLinks).Delete(h); err != nil {
			return err
		}
		if err := t.b(bUserPassLinks).Delete(userKey(userID, h)); err != nil {
			return err
		}
	}
	return nil
}

// HitRate counts one event under key in its current fixed window.
func (t *Tx) HitRate(key string, now time.Time, window time.Duration) (int, time.Time, error) {
	var w rateWindow
	if _, err := getJSON(t.b(bRates), []byte(key), &w); err != nil {
		return 0, time.Time{}, err
	}
	if !now.Before(w.End) {
		w = rateWindow{End: now.Add(window)}
	}
	w.Count++
	return w.Count, w.End, putJSON(t.b(bRates), []byte(key), w)
}

// PruneAccounts deletes up to max expired sessions, password links and
// rate windows. Each bucket is scanned whole (they hold what is live, so
// they stay small); a time index would be the next step.
func (t *Tx) PruneAccounts(now time.Time, max int) (int, error) {
	n := 0
	var sessions, links, rates [][]byte
	err := t.b(bSessions).ForEach(func(k, v []byte) error {
		var s store.Session
		if err := jsonUnmarshal(v, &s); err != nil {
			return err
		}
		if !s.ExpiresAt.After(now) && len(sessions) < max {
			sessions = append(sessions, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, h := range sessions {
		if err := t.deleteSessionHash(h); err != nil {
			return n, err
		}
		n++
	}
	err = t.b(bPassLinks).ForEach(func(k, v []byte) error {
		var l store.PasswordLink
		if err := jsonUnmarshal(v, &l); err != nil {
			return err
		}
		if !l.ExpiresAt.After(now) && n+len(links) < max {
			links = append(links, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	for _, h := range links {
		var l store.PasswordLink
		if _, err := getJSON(t.b(bPassLinks), h, &l); err != nil {
			return n, err
		}
		if err := t.b(bUserPassLinks).Delete(userKey(l.UserID, h)); err != nil {
			return n, err
		}
		if err := t.b(bPassLinks).Delete(h); err != nil {
			return n, err
		}
		n++
	}
	err = t.b(bRates).ForEach(func(k, v []byte) error {
		var w rateWindow
		if err := jsonUnmarshal(v, &w); err != nil {
			return err
		}
		if !w.End.After(now) && n+len(rates) < max {
			rates = append(rates, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	for _, k := range rates {
		if err := t.b(bRates).Delete(k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CreateTeam stores tm with a new id; ErrConflict when the name is taken.
func (t *Tx) CreateTeam(tm *store.Team) error {
	name := []byte(store.NormalizeEmail(tm.Name)) // lower-cased, trimmed
	if t.b(bTeamNames).Get(name) != nil {
		return fmt.Errorf("team %q: %w", tm.Name, store.ErrConflict)
	}
	if err := create(t, bTeams, &tm.ID, &tm.CreatedAt, tm); err != nil {
		return err
	}
	return t.b(bTeamNames).Put(name, u64(tm.ID))
}

// Team returns team id or ErrNotFound.
func (t *Tx) Team(id uint64) (*store.Team, error) {
	var tm store.Team
	return &tm, get(t.b(bTeams), id, &tm, "team")
}

// Teams returns every team, by id.
func (t *Tx) Teams() ([]store.Team, error) { return all[store.Team](t.b(bTeams)) }

// invKey is an invitations_by key.
func invKey(kind byte, who, id uint64) []byte {
	k := make([]byte, 17)
	k[0] = kind
	binary.BigEndian.PutUint64(k[1:], who)
	binary.BigEndian.PutUint64(k[9:], id)
	return k
}

// CreateInvitation stores inv with a new id.
func (t *Tx) CreateInvitation(inv *store.Invitation) error {
	if err := create(t, bInvitations, &inv.ID, &inv.CreatedAt, inv); err != nil {
		return err
	}
	if inv.UserID != 0 {
		return t.b(bInvitationsBy).Put(invKey('u', inv.UserID, inv.ID), nil)
	}
	return t.b(bInvitationsBy).Put(invKey('t', inv.TeamID, inv.ID), nil)
}

// Invitation returns invitation id or ErrNotFound.
func (t *Tx) Invitation(id uint64) (*store.Invitation, error) {
	var inv store.Invitation
	return &inv, get(t.b(bInvitations), id, &inv, "invitation")
}

// PutInvitation overwrites an existing invitation (its invitee does not change).
func (t *Tx) PutInvitation(inv *store.Invitation) error {
	return putJSON(t.b(bInvitations), u64(inv.ID), inv)
}

// InvitationsOf returns, by id, the invitations of user id and of teams.
func (t *Tx) InvitationsOf(userID uint64, teamIDs []uint64) ([]store.Invitation, error) {
	var ids []uint64
	add := func(kind byte, who uint64) {
		prefix := invKey(kind, who, 0)[:9]
		for _, s := range prefixSuffixes(t.b(bInvitationsBy), prefix) {
			ids = append(ids, decodeU64(s))
		}
	}
	add('u', userID)
	for _, tm := range teamIDs {
		add('t', tm)
	}
	slices.Sort(ids)
	out := make([]store.Invitation, 0, len(ids))
	for _, id := range ids {
		inv, err := t.Invitation(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *inv)
	}
	return out, nil
}
