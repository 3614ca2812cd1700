package boltstore

import (
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// Settings returns user id's settings, the defaults when never set. It is
// read for every user on every message posted (SPEC §4 recipients), so the
// record is compact binary, not JSON; a JSON record is still read.
func (t *Tx) Settings(userID uint64) (store.Settings, error) {
	data := t.b(bSettings).Get(u64(userID))
	if data == nil {
		return store.DefaultSettings(), nil
	}
	s, err := decodeSettings(data)
	if err != nil {
		return store.DefaultSettings(), fmt.Errorf("settings of user %d: %w", userID, err)
	}
	return s, nil
}

// PutSettings stores user id's settings.
func (t *Tx) PutSettings(userID uint64, s store.Settings) error {
	if err := t.b(bSettings).Put(u64(userID), encodeSettings(s)); err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	return nil
}

// settingsV1 is the version byte of the binary settings record: version,
// a flags byte, then the three enumerations as strings.
const settingsV1 = 1

const (
	flagShowFromCustomers = 1 << iota
	flagFollowedInternal
	flagEmailAssignmentChanges
	flagEmailNewMembers
	flagAcceptAllInvitations
)

func encodeSettings(s store.Settings) []byte {
	var flags byte
	for _, f := range []struct {
		bit byte
		on  bool
	}{
		{flagShowFromCustomers, s.ShowFromCustomers}, {flagFollowedInternal, s.FollowedInternal},
		{flagEmailAssignmentChanges, s.EmailAssignmentChanges}, {flagEmailNewMembers, s.EmailNewMembers},
		{flagAcceptAllInvitations, s.AcceptAllInvitations},
	} {
		if f.on {
			flags |= f.bit
		}
	}
	e := enc{b: make([]byte, 0, 32)}
	e.byte(settingsV1)
	e.byte(flags)
	e.str(s.ConversationVisibility)
	e.str(s.FromCustomers)
	e.str(s.FromUsersAndBot)
	return e.b
}

func decodeSettings(data []byte) (store.Settings, error) {
	if len(data) > 0 && data[0] == '{' {
		s := store.DefaultSettings()
		return s, jsonUnmarshal(data, &s)
	}
	d := dec{b: data}
	if v := d.byte(); d.err == nil && v != settingsV1 {
		return store.Settings{}, fmt.Errorf("unknown settings record version %d", v)
	}
	flags := d.byte()
	vis := d.str()
	fromCustomers := d.str()
	fromUsers := d.str()
	s := store.Settings{
		ConversationVisibility: vis, FromCustomers: fromCustomers, FromUsersAndBot: fromUsers,
		ShowFromCustomers:      flags&flagShowFromCustomers != 0,
		FollowedInternal:       flags&flagFollowedInternal != 0,
		EmailAssignmentChanges: flags&flagEmailAssignmentChanges != 0,
		EmailNewMembers:        flags&flagEmailNewMembers != 0,
		AcceptAllInvitations:   flags&flagAcceptAllInvitations != 0,
	}
	return s, d.err
}

// UsersWithOpenSettings returns, in id order, the users whose settings let
// them be notified of conversations they do not follow (from_customers or
// from_users_and_bot "all"). Everyone else is notified only where they
// follow, so the recipients of a message are its conversation's followers
// plus these, and a message need not read every user (SPEC §4).
func (t *Tx) UsersWithOpenSettings() ([]uint64, error) {
	var out []uint64
	c := t.b(bSettings).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		s, err := decodeSettings(v)
		if err != nil {
			return nil, fmt.Errorf("settings of user %d: %w", decodeU64(k), err)
		}
		if s.FromCustomers == "all" || s.FromUsersAndBot == "all" {
			out = append(out, decodeU64(k))
		}
	}
	return out, nil
}

// UserExists reports whether user id exists, without reading the record.
func (t *Tx) UserExists(id uint64) (bool, error) { return t.b(bUsers).Get(u64(id)) != nil, nil }
