package webapi

// What the API needs of the domain: one small interface per concept of
// package bridge, as smtpd.Backend is for the SMTP server. The API calls
// nothing else of the domain; *bridge.Service's services implement them.

import (
	"context"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// Accounts is what the API needs of sign-in (bridge.Accounts).
type Accounts interface {
	Authenticate(ctx context.Context, token string) (bridge.Caller, error)
	ChangePassword(ctx context.Context, c bridge.Caller, current string, password string, client string) error
	CompleteSetup(ctx context.Context, token string, email string, name string, password string, client string) (*store.User, *bridge.Session, error)
	ConfirmPasswordReset(ctx context.Context, token string, password string, client string) (*bridge.CredentialsEnded, error)
	Invite(ctx context.Context, c bridge.Caller, project uint64, user uint64, team uint64) (*store.Invitation, error)
	Login(ctx context.Context, email string, password string, client string) (*bridge.Session, error)
	Logout(ctx context.Context, c bridge.Caller) error
	Me(ctx context.Context, c bridge.Caller) (bridge.Identity, error)
	MyInvitations(ctx context.Context, c bridge.Caller) ([]store.Invitation, error)
	RequestPasswordReset(ctx context.Context, email string, client string) error
	RevokeToken(ctx context.Context, c bridge.Caller, kind string, id uint64, tokenID string) error
	SettleInvitation(ctx context.Context, c bridge.Caller, id uint64, accept bool) (*store.Invitation, error)
	Tokens(ctx context.Context, c bridge.Caller, kind string, id uint64) ([]bridge.TokenInfo, error)
}

// Conversations is what the API needs of conversations and messages
// (bridge.Conversations).
type Conversations interface {
	AddConversationFollower(ctx context.Context, c bridge.Caller, id uint64, user uint64) error
	Attachment(ctx context.Context, c bridge.Caller, msgID uint64, attID uint64) (*store.Attachment, []byte, error)
	ConversationRow(ctx context.Context, c bridge.Caller, id uint64) (bridge.ConversationRow, error)
	ConversationRows(ctx context.Context, c bridge.Caller, q bridge.ListQuery) ([]bridge.ConversationRow, *bridge.ConversationCursor, error)
	CreateConversation(ctx context.Context, c bridge.Caller, in bridge.NewConversation) (*store.Conversation, error)
	Messages(ctx context.Context, c bridge.Caller, id uint64) ([]store.Message, error)
	PostMessage(ctx context.Context, c bridge.Caller, id uint64, in bridge.NewMessage) (*store.Message, error)
	RemoveConversationFollower(ctx context.Context, c bridge.Caller, id uint64, user uint64) error
	StartConversation(ctx context.Context, c bridge.Caller, in bridge.NewExternal) (*store.Conversation, *store.Message, error)
	UpdateItem(ctx context.Context, c bridge.Caller, id uint64, in bridge.ItemUpdate) (*store.Item, error)
}

// Notifications is what the API needs of deliveries, seen and event
// streams (bridge.Notifications).
type Notifications interface {
	Deliveries(ctx context.Context, c bridge.Caller, id uint64) ([]bridge.DeliveryView, error)
	MarkSeen(ctx context.Context, c bridge.Caller, id uint64) error
	Notifications(ctx context.Context, c bridge.Caller, unseenOnly bool, after uint64) ([]bridge.Notification, error)
	NotificationsPage(ctx context.Context, c bridge.Caller, unseenOnly bool, before uint64, limit int) ([]bridge.Notification, bool, error)
	SignedAttachment(ctx context.Context, msg uint64, att uint64, expires string, sig string) (*store.Attachment, []byte, error)
	Subscribe(c bridge.Caller) (<-chan store.Delivery, func())
	TrackStream(c bridge.Caller, close func()) (release func(), err error)
	UnseenCounts(ctx context.Context, c bridge.Caller) ([]bridge.UnseenCount, error)
}

// Directory is what the API needs of users, customers, teams, projects and
// items (bridge.Directory).
type Directory interface {
	AddItemFollower(ctx context.Context, c bridge.Caller, id uint64, user uint64) error
	AddProjectFollower(ctx context.Context, c bridge.Caller, id uint64, user uint64) error
	AddProjectTeam(ctx context.Context, c bridge.Caller, id uint64, team uint64) error
	CreateCustomer(ctx context.Context, c bridge.Caller, email string, name string) (*store.Customer, error)
	CreateCustomerToken(ctx context.Context, c bridge.Caller, id uint64) (string, error)
	CreateItem(ctx context.Context, c bridge.Caller, project uint64, title string) (*store.Item, error)
	CreateProject(ctx context.Context, c bridge.Caller, name string) (*store.Project, error)
	CreateTeam(ctx context.Context, c bridge.Caller, name string, users []uint64) (*store.Team, error)
	CreateUser(ctx context.Context, c bridge.Caller, email string, name string, role string) (*store.User, error)
	CreateUserToken(ctx context.Context, c bridge.Caller, id uint64) (string, error)
	Customer(ctx context.Context, c bridge.Caller, id uint64) (*store.Customer, error)
	Customers(ctx context.Context, c bridge.Caller, f bridge.CustomerFilter) ([]store.Customer, error)
	DeleteTeam(ctx context.Context, c bridge.Caller, id uint64) error
	Item(ctx context.Context, c bridge.Caller, id uint64) (*store.Item, error)
	Items(ctx context.Context, c bridge.Caller, f bridge.ItemFilter) ([]store.Item, error)
	Project(ctx context.Context, c bridge.Caller, id uint64) (*store.Project, error)
	Projects(ctx context.Context, c bridge.Caller) ([]store.Project, error)
	RetireUser(ctx context.Context, c bridge.Caller, id uint64) error
	SetAssignees(ctx context.Context, c bridge.Caller, id uint64, users []uint64) (*store.Item, error)
	Team(ctx context.Context, c bridge.Caller, id uint64) (*store.Team, error)
	Teams(ctx context.Context, c bridge.Caller) ([]store.Team, error)
	UpdateCustomer(ctx context.Context, c bridge.Caller, id uint64, p bridge.CustomerPatch) (*store.Customer, error)
	UpdateTeam(ctx context.Context, c bridge.Caller, id uint64, p bridge.TeamPatch) (*store.Team, error)
	UpdateUser(ctx context.Context, c bridge.Caller, id uint64, p bridge.UserPatch) (*store.User, error)
	User(ctx context.Context, c bridge.Caller, id uint64) (*store.User, error)
	Users(ctx context.Context, c bridge.Caller) ([]store.User, error)
}

// Messaging is what the API needs of templates and automations
// (bridge.Messaging).
type Messaging interface {
	Automation(ctx context.Context, c bridge.Caller, id uint64) (bridge.AutomationView, error)
	Automations(ctx context.Context, c bridge.Caller) ([]bridge.AutomationView, error)
	CreateAutomation(ctx context.Context, c bridge.Caller, in bridge.AutomationInput) (bridge.AutomationView, error)
	CreateTemplate(ctx context.Context, c bridge.Caller, name string, in bridge.TemplateInput) (bridge.TemplateView, error)
	DeleteAutomation(ctx context.Context, c bridge.Caller, id uint64) error
	DeleteTemplate(ctx context.Context, c bridge.Caller, name string) error
	PreviewTemplate(ctx context.Context, c bridge.Caller, name string, in bridge.PreviewInput) (templates.Rendered, error)
	ResetTemplate(ctx context.Context, c bridge.Caller, name string) (bridge.TemplateView, error)
	Template(ctx context.Context, c bridge.Caller, name string) (bridge.TemplateView, error)
	Templates(ctx context.Context, c bridge.Caller) ([]bridge.TemplateView, error)
	UpdateAutomation(ctx context.Context, c bridge.Caller, id uint64, in bridge.AutomationInput) (bridge.AutomationView, error)
	UpdateTemplate(ctx context.Context, c bridge.Caller, name string, in bridge.TemplateInput) (bridge.TemplateView, error)
}

// Mailboxes is what the API needs of IMAP mailboxes and settings
// (bridge.Mailboxes).
type Mailboxes interface {
	CreateMailbox(ctx context.Context, c bridge.Caller, in bridge.MailboxInput) (store.Mailbox, error)
	DeleteMailbox(ctx context.Context, c bridge.Caller, id uint64) error
	Mailboxes(ctx context.Context, c bridge.Caller) ([]store.Mailbox, error)
	Settings(ctx context.Context, c bridge.Caller, id uint64) (store.Settings, error)
	UpdateMailbox(ctx context.Context, c bridge.Caller, id uint64, p bridge.MailboxPatch) (store.Mailbox, error)
	UpdateSettings(ctx context.Context, c bridge.Caller, id uint64, p bridge.SettingsPatch) (store.Settings, error)
}

// MailLog is what the API needs of the mail log (bridge.Inbound).
type MailLog interface {
	MailLog(ctx context.Context, c bridge.Caller, q bridge.MailLogQuery) ([]store.MailLogEntry, error)
	MailLogRaw(ctx context.Context, c bridge.Caller, id uint64) ([]byte, error)
}

// Domain is the domain the API serves, by concept. cmd/deskgate fills it
// from one *bridge.Service.
type Domain struct {
	Accounts      Accounts
	Conversations Conversations
	Notifications Notifications
	Directory     Directory
	Messaging     Messaging
	Mailboxes     Mailboxes
	Inbound       MailLog
}
