package store

import (
	"strings"
	"time"
)

// Staff roles.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// User is a staff member: an admin (may do everything) or an agent.
type User struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"` // lower-cased, unique among users
	Name      string    `json:"name"`
	Role      string    `json:"role"` // RoleAdmin or RoleAgent
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt is when the user was retired (DELETE /users/{id}, SPEC
	// §14): it can no longer sign in or use a token, is notified of
	// nothing, and its messages stay, shown by name. Zero: active.
	RetiredAt time.Time `json:"retired_at,omitzero"`
}

// Customer is an outside person known by email address, created by the API
// or by the first email received from that address.
type Customer struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"` // lower-cased, unique among customers
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// NormalizeEmail is the form addresses are stored and looked up in:
// trimmed, lower-cased, and without the trailing dot of a fully
// qualified domain (alice@staff.test. is alice@staff.test, RFC 1034
// §3.1), so a dot cannot make a staff user or a customer a stranger.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		if d := strings.TrimRight(s[at+1:], "."); d != "" {
			s = s[:at+1] + d
		}
	}
	return s
}
