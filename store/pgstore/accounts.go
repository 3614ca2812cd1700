package pgstore

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// SetPasswordHash stores user id's password hash.
func (t *Tx) SetPasswordHash(userID uint64, hash string) error {
	_, err := t.exec(`INSERT INTO passwords (user_id, hash) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash`, int64(userID), hash)
	return err
}

// PasswordHash returns user id's password hash, or ErrNotFound.
func (t *Tx) PasswordHash(userID uint64) (string, error) {
	var h string
	err := t.tx.QueryRow(t.ctx, `SELECT hash FROM passwords WHERE user_id = $1`, int64(userID)).Scan(&h)
	if isNoRows(err) {
		return "", fmt.Errorf("password of user %d: %w", userID, store.ErrNotFound)
	}
	return h, err
}

// PutSession stores the hash of token as s.
func (t *Tx) PutSession(token string, s store.Session) error {
	data, err := mustJSON(s)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO sessions (hash, user_id, expires_ns, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, expires_ns = EXCLUDED.expires_ns, data = EXCLUDED.data`,
		tokenHash(token), int64(s.UserID), s.ExpiresAt.UnixNano(), data)
	return err
}

// Session returns the session of token, or ErrNotFound.
func (t *Tx) Session(token string) (*store.Session, error) {
	var s store.Session
	ok, err := t.getJSON(&s, `SELECT data FROM sessions WHERE hash = $1`, tokenHash(token))
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
	_, err := t.exec(`DELETE FROM sessions WHERE hash = $1`, tokenHash(token))
	return err
}

// DeleteUserSessions removes every session of user id but keep's.
func (t *Tx) DeleteUserSessions(userID uint64, keep string) ([]string, error) {
	var keepHash []byte
	if keep != "" {
		keepHash = tokenHash(keep)
	}
	rows, err := t.tx.Query(t.ctx, `DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR hash <> $2) RETURNING hash`, int64(userID), keepHash)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var h []byte
		err := row.Scan(&h)
		if len(h) < 8 {
			return "", err
		}
		return hex.EncodeToString(h[:8]), err
	})
}

// PutPasswordLink stores the hash of token as l.
func (t *Tx) PutPasswordLink(token string, l store.PasswordLink) error {
	data, err := mustJSON(l)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO password_links (hash, user_id, expires_ns, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, expires_ns = EXCLUDED.expires_ns, data = EXCLUDED.data`,
		tokenHash(token), int64(l.UserID), l.ExpiresAt.UnixNano(), data)
	return err
}

// TakePasswordLink removes the link of token and returns it. Two nodes
// taking the same link concurrently: one DELETE finds the row, the other
// none, so the link is used once.
func (t *Tx) TakePasswordLink(token string) (*store.PasswordLink, error) {
	var l store.PasswordLink
	ok, err := t.getJSON(&l, `DELETE FROM password_links WHERE hash = $1 RETURNING data`, tokenHash(token))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &l, nil
}

// DeleteUserPasswordLinks removes every password link of user id.
func (t *Tx) DeleteUserPasswordLinks(userID uint64) error {
	_, err := t.exec(`DELETE FROM password_links WHERE user_id = $1`, int64(userID))
	return err
}

// HitRate counts one event under key in its current fixed window, in one
// statement, so concurrent nodes count every event.
func (t *Tx) HitRate(key string, now time.Time, window time.Duration) (int, time.Time, error) {
	var count int
	var end int64
	err := t.tx.QueryRow(t.ctx, `INSERT INTO rate_windows (key, end_ns, count) VALUES ($1, $3, 1)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN rate_windows.end_ns <= $2 THEN 1 ELSE rate_windows.count + 1 END,
			end_ns = CASE WHEN rate_windows.end_ns <= $2 THEN $3 ELSE rate_windows.end_ns END
		RETURNING count, end_ns`, key, now.UnixNano(), now.Add(window).UnixNano()).Scan(&count, &end)
	if err != nil {
		return 0, time.Time{}, err
	}
	return count, time.Unix(0, end).UTC(), nil
}

// PruneAccounts deletes up to max expired sessions, password links and
// rate windows.
func (t *Tx) PruneAccounts(now time.Time, max int) (int, error) {
	n := 0
	for _, q := range []string{
		`DELETE FROM sessions WHERE hash IN (SELECT hash FROM sessions WHERE expires_ns <= $1 ORDER BY expires_ns LIMIT $2)`,
		`DELETE FROM password_links WHERE hash IN (SELECT hash FROM password_links WHERE expires_ns <= $1 ORDER BY expires_ns LIMIT $2)`,
		`DELETE FROM rate_windows WHERE key IN (SELECT key FROM rate_windows WHERE end_ns <= $1 ORDER BY end_ns LIMIT $2)`,
	} {
		if n >= max {
			break
		}
		tag, err := t.exec(q, now.UnixNano(), max-n)
		if err != nil {
			return n, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// CreateTeam stores tm with a new id; ErrConflict when the name is taken.
func (t *Tx) CreateTeam(tm *store.Team) error {
	if tm.CreatedAt.IsZero() {
		tm.CreatedAt = time.Now().UTC()
	}
	var id int64
	err := t.tx.QueryRow(t.ctx, `INSERT INTO teams (name, data) VALUES ($1, '{}')
		ON CONFLICT (name) DO NOTHING RETURNING id`, store.NormalizeEmail(tm.Name)).Scan(&id)
	if isNoRows(err) {
		return fmt.Errorf("team %q: %w", tm.Name, store.ErrConflict)
	}
	if err != nil {
		return err
	}
	tm.ID = uint64(id)
	return t.putJSON(`UPDATE teams SET data = $2 WHERE id = $1`, tm.ID, tm)
}

// Team returns team id or ErrNotFound.
func (t *Tx) Team(id uint64) (*store.Team, error) {
	var tm store.Team
	return &tm, t.getLocked(&tm, "team", id, `SELECT data FROM teams WHERE id = $1`)
}

// Teams returns every team, by id.
func (t *Tx) Teams() ([]store.Team, error) {
	return allJSON[store.Team](t, `SELECT data FROM teams ORDER BY id`)
}

// CreateInvitation stores inv with a new id.
func (t *Tx) CreateInvitation(inv *store.Invitation) error {
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = time.Now().UTC()
	}
	var id int64
	err := t.tx.QueryRow(t.ctx, `INSERT INTO invitations (user_id, team_id, data) VALUES ($1, $2, '{}') RETURNING id`,
		int64(inv.UserID), int64(inv.TeamID)).Scan(&id)
	if err != nil {
		return err
	}
	inv.ID = uint64(id)
	return t.putJSON(`UPDATE invitations SET data = $2 WHERE id = $1`, inv.ID, inv)
}

// Invitation returns invitation id or ErrNotFound.
func (t *Tx) Invitation(id uint64) (*store.Invitation, error) {
	var inv store.Invitation
	return &inv, t.getLocked(&inv, "invitation", id, `SELECT data FROM invitations WHERE id = $1`)
}

// PutInvitation overwrites an existing invitation (its invitee does not change).
func (t *Tx) PutInvitation(inv *store.Invitation) error {
	return t.putJSON(`UPDATE invitations SET data = $2 WHERE id = $1`, inv.ID, inv)
}

// InvitationsOf returns, by id, the invitations of user id and of teams.
func (t *Tx) InvitationsOf(userID uint64, teamIDs []uint64) ([]store.Invitation, error) {
	teams := make([]int64, len(teamIDs))
	for i, id := range teamIDs {
		teams[i] = int64(id)
	}
	return allJSON[store.Invitation](t, `SELECT data FROM invitations
		WHERE (user_id = $1 AND user_id <> 0) OR (team_id = ANY($2) AND team_id <> 0) ORDER BY id`, int64(userID), teams)
}
