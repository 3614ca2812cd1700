package store

import (
	"slices"
	"time"
)

// Conversation kinds.
const (
	KindInternal = "internal" // staff only
	KindExternal = "external" // staff and the item's customers
)

// Project groups items; its followers follow every conversation in it.
type Project struct {
	ID        uint64   `json:"id"`
	Name      string   `json:"name"`
	Followers []uint64 `json:"followers"` // user ids
	// Teams are the teams following the project: their members follow it
	// too (SPEC §10).
	Teams     []uint64  `json:"teams,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Item is a ticket or task in a project.
type Item struct {
	ID        uint64 `json:"id"`
	ProjectID uint64 `json:"project_id"`
	Title     string `json:"title"`
	// Status is "open" (the default) or "closed", or another short word
	// (SPEC §9); an item stored before statuses existed reads as "".
	Status    string    `json:"status"`
	Followers []uint64  `json:"followers"` // user ids
	Assignees []uint64  `json:"assignees"` // user ids
	CreatedAt time.Time `json:"created_at"`
}

// Conversation belongs to an item; its kind decides who may see it.
type Conversation struct {
	ID          uint64    `json:"id"`
	ItemID      uint64    `json:"item_id"`
	ProjectID   uint64    `json:"project_id"`
	Kind        string    `json:"kind"` // KindInternal or KindExternal
	Subject     string    `json:"subject"`
	Followers   []uint64  `json:"followers"`    // user ids
	CustomerIDs []uint64  `json:"customer_ids"` // only for external conversations
	CreatedAt   time.Time `json:"created_at"`
	// LastMessageAt is when the newest message was posted (zero: none yet).
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
}

// ActiveAt is when c was last active: its last message's time, else its
// creation's.
func (c *Conversation) ActiveAt() time.Time {
	if c.LastMessageAt.IsZero() {
		return c.CreatedAt
	}
	return c.LastMessageAt
}

// ConversationActivity is c's activity as the stores order it: ActiveAt
// in whole microseconds since 1970 (rounded down).
func ConversationActivity(c *Conversation) int64 { return c.ActiveAt().UnixMicro() }

// AddUnique appends id to ids unless present; it reports whether it added.
func AddUnique(ids []uint64, id uint64) ([]uint64, bool) {
	if slices.Contains(ids, id) {
		return ids, false
	}
	return append(ids, id), true
}
