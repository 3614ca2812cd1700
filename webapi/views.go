package webapi

import (
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// The API answers with its own types, built field by field from the
// stored records (an allow-list): a field added to a record reaches no
// client, least of all a customer's token, until it is added here and to
// the OpenAPI document. message_id is always a message's id.

type userView struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt: the user was removed (DELETE /users/{id}); absent while active.
	RetiredAt time.Time `json:"retired_at,omitzero"`
}

func viewUser(u *store.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt, RetiredAt: u.RetiredAt}
}

type customerView struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func viewCustomer(c *store.Customer) customerView {
	return customerView{ID: c.ID, Email: c.Email, Name: c.Name, CreatedAt: c.CreatedAt}
}

type settingsView struct {
	ConversationVisibility string `json:"conversation_visibility"`
	ShowFromCustomers      bool   `json:"show_from_customers"`
	FromCustomers          string `json:"from_customers"`
	FromUsersAndBot        string `json:"from_users_and_bot"`
	FollowedInternal       bool   `json:"followed_internal"`
	EmailAssignmentChanges bool   `json:"email_assignment_changes"`
	EmailNewMembers        bool   `json:"email_new_members"`
	AcceptAllInvitations   bool   `json:"accept_all_invitations"`
}

func viewSettings(s store.Settings) settingsView {
	return settingsView{ConversationVisibility: s.ConversationVisibility, ShowFromCustomers: s.ShowFromCustomers,
		FromCustomers: s.FromCustomers, FromUsersAndBot: s.FromUsersAndBot, FollowedInternal: s.FollowedInternal,
		EmailAssignmentChanges: s.EmailAssignmentChanges, EmailNewMembers: s.EmailNewMembers,
		AcceptAllInvitations: s.AcceptAllInvitations}
}

type projectView struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Followers []uint64  `json:"followers"`
	Teams     []uint64  `json:"teams"` // teams following it (SPEC §10)
	CreatedAt time.Time `json:"created_at"`
}

func viewProject(p *store.Project) projectView {
	return projectView{ID: p.ID, Name: p.Name, Followers: ids(p.Followers), Teams: ids(p.Teams), CreatedAt: p.CreatedAt}
}

type itemView struct {
	ID        uint64    `json:"id"`
	ProjectID uint64    `json:"project_id"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Followers []uint64  `json:"followers"`
	Assignees []uint64  `json:"assignees"`
	CreatedAt time.Time `json:"created_at"`
}

func viewItem(it *store.Item) itemView {
	status := it.Status
	if status == "" { // stored before items had a status
		status = store.ItemOpen
	}
	return itemView{ID: it.ID, ProjectID: it.ProjectID, Title: it.Title, Status: status, Followers: ids(it.Followers),
		Assignees: ids(it.Assignees), CreatedAt: it.CreatedAt}
}

type conversationView struct {
	ID            uint64    `json:"id"`
	ItemID        uint64    `json:"item_id"`
	ProjectID     uint64    `json:"project_id"`
	Kind          string    `json:"kind"`
	Subject       string    `json:"subject"`
	Followers     []uint64  `json:"followers"`
	CustomerIDs   []uint64  `json:"customer_ids"`
	CreatedAt     time.Time `json:"created_at"`
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
}

func viewConversation(c *store.Conversation) conversationView {
	return conversationView{ID: c.ID, ItemID: c.ItemID, ProjectID: c.ProjectID, Kind: c.Kind, Subject: c.Subject,
		Followers: ids(c.Followers), CustomerIDs: ids(c.CustomerIDs), CreatedAt: c.CreatedAt, LastMessageAt: c.LastMessageAt}
}

type authorView struct {
	Type  string `json:"type"`
	ID    uint64 `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type attachmentView struct {
	ID          uint64 `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
}

type messageView struct {
	ID             uint64           `json:"id"`
	ConversationID uint64           `json:"conversation_id"`
	Kind           string           `json:"kind"`
	Author         authorView       `json:"author"`
	Body           string           `json:"body"`
	HTML           string           `json:"html"`
	FullText       string           `json:"full_text"`
	Attachments    []attachmentView `json:"attachments"`
	Source         string           `json:"source"`
	EmailMessageID string           `json:"email_message_id"`
	CreatedAt      time.Time        `json:"created_at"`
	Unverified     bool             `json:"unverified"`
	// Cause names the automation that posted it (docs/messaging.md).
	Cause string `json:"cause,omitempty"`
}

func viewMessage(m *store.Message) messageView {
	v := messageView{ID: m.ID, ConversationID: m.ConversationID, Kind: m.Kind,
		Author: authorView{Type: m.Author.Type, ID: m.Author.ID, Email: m.Author.Email, Name: m.Author.Name},
		Body:   m.Body, HTML: m.HTML, FullText: m.FullText, Attachments: make([]attachmentView, 0, len(m.Attachments)),
		Source: m.Source, EmailMessageID: m.EmailMessageID, CreatedAt: m.CreatedAt, Unverified: m.Unverified, Cause: m.Cause}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, attachmentView{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, ContentID: a.ContentID, Inline: a.Inline})
	}
	return v
}

// ids is never null in JSON.
func ids(v []uint64) []uint64 {
	if v == nil {
		return []uint64{}
	}
	return v
}

// viewAll maps view over a list.
func viewAll[T, V any](xs []T, view func(*T) V) []V {
	out := make([]V, 0, len(xs))
	for i := range xs {
		out = append(out, view(&xs[i]))
	}
	return out
}

// conversationRowView is a conversation as GET /conversations lists it
// and GET /conversations/{id} answers: the conversation and what a list
// row or a conversation header shows.
type conversationRowView struct {
	conversationView
	ItemTitle     string           `json:"item_title"`
	Status        string           `json:"status"`    // the item's status
	Assignees     []uint64         `json:"assignees"` // the item's assignees (staff only)
	AssigneeNames []string         `json:"assignee_names"`
	Customers     []customerView   `json:"customers"`
	LastMessage   *lastMessageView `json:"last_message,omitempty"`
}

// lastMessageView is a conversation's newest message, cut to a snippet.
type lastMessageView struct {
	ID        uint64     `json:"id"`
	Kind      string     `json:"kind"`
	Author    authorView `json:"author"`
	Snippet   string     `json:"snippet"`
	CreatedAt time.Time  `json:"created_at"`
}

func viewConversationRow(r *bridge.ConversationRow) conversationRowView {
	v := conversationRowView{conversationView: viewConversation(&r.Conversation), ItemTitle: r.ItemTitle, Status: r.Status,
		Assignees: ids(r.Assignees), AssigneeNames: r.AssigneeNames, Customers: viewAll(r.Customers, viewCustomer)}
	if v.AssigneeNames == nil {
		v.AssigneeNames = []string{}
	}
	if m := r.Last; m != nil {
		v.LastMessage = &lastMessageView{ID: m.ID, Kind: m.Kind, Snippet: bridge.Snippet(m.Body), CreatedAt: m.CreatedAt,
			Author: authorView{Type: m.Author.Type, ID: m.Author.ID, Email: m.Author.Email, Name: m.Author.Name}}
	}
	return v
}
