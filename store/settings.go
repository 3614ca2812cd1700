package store

// Settings are a user's notification settings (SPEC §4).
type Settings struct {
	// ConversationVisibility: "all", or "followed" = only conversations of
	// projects the user follows.
	ConversationVisibility string `json:"conversation_visibility"`
	ShowFromCustomers      bool   `json:"show_from_customers"`
	// FromCustomers: "all", "mine" (conversations the user follows) or "none".
	FromCustomers string `json:"from_customers"`
	// FromUsersAndBot: "all", "followed" or "none".
	FromUsersAndBot        string `json:"from_users_and_bot"`
	FollowedInternal       bool   `json:"followed_internal"`
	EmailAssignmentChanges bool   `json:"email_assignment_changes"`
	EmailNewMembers        bool   `json:"email_new_members"`
	AcceptAllInvitations   bool   `json:"accept_all_invitations"`
}

// DefaultSettings are the settings of a user who never changed them.
func DefaultSettings() Settings {
	return Settings{
		ConversationVisibility: "all",
		ShowFromCustomers:      true,
		FromCustomers:          "mine",
		FromUsersAndBot:        "followed",
		FollowedInternal:       true,
		EmailAssignmentChanges: true,
		EmailNewMembers:        false,
		AcceptAllInvitations:   true,
	}
}
