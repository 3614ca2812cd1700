package store

import "time"

// Account records (SPEC §10): passwords, sign-in sessions, single-use
// password links, rate-limit windows, teams and project invitations.
//
// Secrets never reach the store in the clear: session tokens and password
// links are kept as their SHA-256 (they are 256-bit random values, so an
// unsalted hash is enough), passwords as an argon2id string made by the
// domain.

// Session is a sign-in session of a user (POST /auth/login).
type Session struct {
	UserID    uint64    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Password link purposes.
const (
	LinkReset   = "password_reset" // POST /auth/password-reset
	LinkWelcome = "welcome"        // the set-password link of a new user
	// LinkSetup is the first-run link (SPEC §10): UserID 0, it creates the
	// first admin while the store has none.
	LinkSetup = "setup"
)

// PasswordLink is a single-use link that sets a user's password.
type PasswordLink struct {
	UserID    uint64    `json:"user_id"`
	Purpose   string    `json:"purpose"` // LinkReset, LinkWelcome or LinkSetup
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Team is a named group of users; a team follows projects, and its members
// follow through it.
type Team struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"` // unique, case-insensitively
	UserIDs   []uint64  `json:"user_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// Invitation states.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationDeclined = "declined"
)

// Invitation asks a user or a team (exactly one of UserID, TeamID is set)
// to follow a project.
type Invitation struct {
	ID        uint64    `json:"id"`
	ProjectID uint64    `json:"project_id"`
	UserID    uint64    `json:"user_id,omitempty"`
	TeamID    uint64    `json:"team_id,omitempty"`
	InvitedBy uint64    `json:"invited_by"` // the user who invited
	Status    string    `json:"status"`     // Invitation* constants
	CreatedAt time.Time `json:"created_at"`
	SettledAt time.Time `json:"settled_at,omitzero"`
	SettledBy uint64    `json:"settled_by,omitempty"` // who accepted or declined
}

// AccountsTx holds passwords, sessions, password links and the rate-limit
// windows of sign-in.
type AccountsTx interface {
	// SetPasswordHash stores user id's password hash.
	SetPasswordHash(userID uint64, hash string) error
	// PasswordHash returns user id's password hash, or ErrNotFound when
	// the user has never set one.
	PasswordHash(userID uint64) (string, error)

	// PutSession stores the SHA-256 of token (never the token) as s.
	PutSession(token string, s Session) error
	// Session returns the session of token, or ErrNotFound. It does not
	// look at the expiry: the caller does.
	Session(token string) (*Session, error)
	// DeleteSession removes the session of token, if any.
	DeleteSession(token string) error
	// DeleteUserSessions removes every session of user id but the one of
	// keep ("" keeps none), and returns the TokenID of each it removed
	// (so the caller can close their event streams).
	DeleteUserSessions(userID uint64, keep string) ([]string, error)

	// PutPasswordLink stores the SHA-256 of token as l.
	PutPasswordLink(token string, l PasswordLink) error
	// TakePasswordLink removes the link of token and returns it (single
	// use: a second call finds nothing), or ErrNotFound. It does not look
	// at the expiry: the caller does.
	TakePasswordLink(token string) (*PasswordLink, error)
	// DeleteUserPasswordLinks removes every password link of user id.
	DeleteUserPasswordLinks(userID uint64) error

	// HitRate counts one event under key in a fixed window of length
	// window: the window starts with the first event at or after the end
	// of the previous one. It returns the count in the current window
	// (this event included) and when the window ends. Keys are opaque to
	// the store; the domain hashes what it limits by.
	HitRate(key string, now time.Time, window time.Duration) (int, time.Time, error)

	// PruneAccounts deletes up to max expired sessions, password links and
	// rate windows (expired at or before now) and returns how many.
	PruneAccounts(now time.Time, max int) (int, error)
}

// TeamsTx holds teams and invitations.
type TeamsTx interface {
	// CreateTeam stores tm with a new id; ErrConflict when the name is taken.
	CreateTeam(tm *Team) error
	// Team returns team id or ErrNotFound.
	Team(id uint64) (*Team, error)
	// Teams returns every team, by id.
	Teams() ([]Team, error)

	// CreateInvitation stores inv with a new id.
	CreateInvitation(inv *Invitation) error
	// Invitation returns invitation id or ErrNotFound.
	Invitation(id uint64) (*Invitation, error)
	// PutInvitation overwrites an existing invitation.
	PutInvitation(inv *Invitation) error
	// InvitationsOf returns, by id, the invitations of user id and of the
	// teams named.
	InvitationsOf(userID uint64, teamIDs []uint64) ([]Invitation, error)
}
