package store

import "time"

// Item statuses. Any short word is allowed; these are the usual ones.
const (
	ItemOpen   = "open"
	ItemClosed = "closed"
)

// TemplateRecord is a stored email template (SPEC §9): a custom one, or a
// system one an admin edited or switched off. A system template never
// stored is its default, enabled.
type TemplateRecord struct {
	Name string `json:"name"`
	// Kind is "system" or "custom".
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// Edited is false while a system template's bodies are its defaults
	// (only Enabled was changed), so a newer binary's defaults apply.
	Edited    bool      `json:"edited"`
	Enabled   bool      `json:"enabled"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AutomationAction is one thing an automation does (SPEC §9).
type AutomationAction struct {
	// Type is "post_message" or "send_email".
	Type string `json:"type"`
	// Conversation is "external" or "internal" (post_message).
	Conversation string `json:"conversation,omitempty"`
	// Template names the template whose text (post_message) or whole
	// email (send_email) the action renders.
	Template string `json:"template"`
	// To is "followers", "assignees", "customers" or an address (send_email).
	To string `json:"to,omitempty"`
}

// Automation is an admin's rule: when Event happens and Conditions hold,
// run Actions. Automation 1 (the one-minute rule) is built in and never
// stored; stored ones get ids from 2 up.
type Automation struct {
	ID         uint64             `json:"id"`
	Name       string             `json:"name"`
	Event      string             `json:"event"`
	Conditions map[string]string  `json:"conditions"`
	Actions    []AutomationAction `json:"actions"`
	Enabled    bool               `json:"enabled"`
	// LastError is the last run-time failure of an action (empty when
	// the last run succeeded), and LastErrorAt when it happened.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// Runs counts the times the automation ran.
	Runs      uint64    `json:"runs"`
	CreatedAt time.Time `json:"created_at"`
}

// FirstAutomationID is the id of the first stored automation.
const FirstAutomationID = 2

// MessagingTx holds the messaging center: templates and automations.
type MessagingTx interface {
	// Template returns the stored template name, or ErrNotFound.
	Template(name string) (*TemplateRecord, error)
	// Templates returns every stored template, by name.
	Templates() ([]TemplateRecord, error)
	// PutTemplate stores t (new or changed).
	PutTemplate(t *TemplateRecord) error
	// DeleteTemplate removes template name; ErrNotFound when absent.
	DeleteTemplate(name string) error

	// CreateAutomation stores a with a new id (FirstAutomationID or more).
	CreateAutomation(a *Automation) error
	// Automation returns automation id or ErrNotFound.
	Automation(id uint64) (*Automation, error)
	// Automations returns every stored automation, by id.
	Automations() ([]Automation, error)
	// PutAutomation overwrites an existing automation; ErrNotFound when absent.
	PutAutomation(a *Automation) error
	// DeleteAutomation removes automation id; ErrNotFound when absent.
	DeleteAutomation(id uint64) error

	// AddBuiltinRuns adds n to the run count of built-in automation id
	// (automation 1, which is not stored as an Automation), in the
	// caller's transaction.
	AddBuiltinRuns(id, n uint64) error
	// BuiltinRuns returns built-in automation id's run count (0 before
	// its first run).
	BuiltinRuns(id uint64) (uint64, error)
}

// BuiltinRunsRecord is the document of a RecBuiltinRuns record.
type BuiltinRunsRecord struct {
	Runs uint64 `json:"runs"`
}
