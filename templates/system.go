package templates

import "slices"

// Names of the system templates (SPEC §9).
const (
	Notification      = "notification"
	Welcome           = "welcome"
	PasswordReset     = "password_reset"
	Invitation        = "invitation"
	AssignmentChanged = "assignment_changed"
	NewMember         = "new_member"
)

// Kinds of template.
const (
	KindSystem = "system"
	KindCustom = "custom"
)

// Template is the editable part of a template: its name and three bodies
// in Go template syntax.
type Template struct {
	Name    string
	Subject string
	Text    string
	HTML    string
}

// Def describes a system template: its default bodies, whether it may be
// switched off, the variables it may name and sample data for previews.
type Def struct {
	Default Template
	// Locked system emails cannot be disabled (SPEC §9): without them a
	// user could not reset a password or learn of unseen messages.
	Locked    bool
	Variables []Var
}

// Var documents one variable a template may name as {{.Name}}. A variable
// with Fields is a record ({{.Name.Field}}); with List set it is a list of
// such records to range over.
type Var struct {
	Name   string `json:"name"`
	Doc    string `json:"description"`
	List   bool   `json:"list,omitempty"`
	Fields []Var  `json:"fields,omitempty"`
}

var (
	attachmentVars = []Var{
		{Name: "Filename", Doc: "the attachment's file name"},
		{Name: "ContentType", Doc: "its MIME type"},
		{Name: "Size", Doc: "its size in words, e.g. \"12 KB\""},
		{Name: "Link", Doc: "a signed download link when the file is too big to attach, else empty"},
	}
	messageVars = []Var{
		{Name: "Author", Doc: "the author's name (or the local part of the address)"},
		{Name: "AuthorType", Doc: "user, customer or bot"},
		{Name: "At", Doc: "when it was posted, e.g. \"Thu, 3 Dec 2026 16:20 UTC\""},
		{Name: "Body", Doc: "the message text"},
		{Name: "Attachments", Doc: "the message's files", List: true, Fields: attachmentVars},
	}
	userVars = []Var{
		{Name: "Name", Doc: "the recipient's name"},
		{Name: "Email", Doc: "the recipient's address"},
	}
)

func withUser(v ...Var) []Var { return append(slices.Clone(userVars), v...) }

var systems = map[string]Def{
	Notification: {
		Locked: true,
		Variables: withUser(
			Var{Name: "Subject", Doc: "the conversation's subject (the [#id] tag is added to the email's subject by deskgate)"},
			Var{Name: "ConversationID", Doc: "the conversation's id"},
			Var{Name: "Item", Doc: "the conversation's item", Fields: itemVars},
			Var{Name: "Count", Doc: "how many messages the email carries"},
			Var{Name: "Messages", Doc: "the unseen messages, oldest first", List: true, Fields: messageVars},
		),
		Default: Template{
			Subject: `{{.Subject}}`,
			Text: `{{range $i, $m := .Messages}}{{if $i}}
----------------------------------------

{{end}}{{$m.Author}} wrote on {{$m.At}}:

{{$m.Body}}
{{range $m.Attachments}}[attachment: {{.Filename}} ({{.Size}}){{if .Link}} {{.Link}}{{end}}]
{{end}}{{end}}
-- 
Reply to this email to answer in the conversation.
`,
			HTML: `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif">
{{range .Messages}}<div style="margin-bottom: 1.5em">
<p style="color: #555"><strong>{{.Author}}</strong> wrote on {{.At}}:</p>
<div style="white-space: pre-wrap">{{.Body}}</div>
{{range .Attachments}}<p style="color: #555">[attachment: {{if .Link}}<a href="{{.Link}}">{{.Filename}}</a>{{else}}{{.Filename}}{{end}} ({{.Size}})]</p>
{{end}}</div>
{{end}}<hr>
<p style="color: #777; font-size: small">Reply to this email to answer in the conversation.</p>
</body></html>
`,
		},
	},
	Welcome: {
		Variables: withUser(
			Var{Name: "Link", Doc: "the set-password link"},
			Var{Name: "ExpiresIn", Doc: "how long the link is valid, in words"},
			Var{Name: "Site", Doc: "the public URL of deskgate"},
		),
		Default: Template{
			Subject: `Welcome to the helpdesk`,
			Text: `Hello {{.Name}},

an account was created for you ({{.Email}}). Choose your password here:

{{.Link}}

The link is valid for {{.ExpiresIn}}.
`,
			HTML: `<p>Hello {{.Name}},</p>
<p>an account was created for you ({{.Email}}). <a href="{{.Link}}">Choose your password</a>.</p>
<p>The link is valid for {{.ExpiresIn}}.</p>
`,
		},
	},
	PasswordReset: {
		Locked: true,
		Variables: withUser(
			Var{Name: "Link", Doc: "the single-use reset link"},
			Var{Name: "ExpiresIn", Doc: "how long the link is valid, in words"},
			Var{Name: "Site", Doc: "the public URL of deskgate"},
		),
		Default: Template{
			Subject: `Reset your password`,
			Text: `Hello {{.Name}},

someone asked to reset the password of {{.Email}}. To choose a new one, open:

{{.Link}}

The link works once and is valid for {{.ExpiresIn}}. If you did not ask, ignore this email.
`,
			HTML: `<p>Hello {{.Name}},</p>
<p>someone asked to reset the password of {{.Email}}. <a href="{{.Link}}">Choose a new password</a>.</p>
<p>The link works once and is valid for {{.ExpiresIn}}. If you did not ask, ignore this email.</p>
`,
		},
	},
	Invitation: {
		Variables: withUser(
			Var{Name: "Project", Doc: "the project's name"},
			Var{Name: "InvitedBy", Doc: "who invited"},
			Var{Name: "Link", Doc: "where to accept or decline"},
			Var{Name: "Site", Doc: "the public URL of deskgate"},
		),
		Default: Template{
			Subject: `{{.InvitedBy}} invited you to {{.Project}}`,
			Text: `Hello {{.Name}},

{{.InvitedBy}} invited you to follow the project {{.Project}}. Accept or decline here:

{{.Link}}
`,
			HTML: `<p>Hello {{.Name}},</p>
<p>{{.InvitedBy}} invited you to follow the project <strong>{{.Project}}</strong>. <a href="{{.Link}}">Accept or decline</a>.</p>
`,
		},
	},
	AssignmentChanged: {
		Variables: withUser(
			Var{Name: "Item", Doc: "the item", Fields: itemVars},
			Var{Name: "Assigned", Doc: "true when the recipient was assigned, false when removed"},
			Var{Name: "ChangedBy", Doc: "who made the change"},
			Var{Name: "Link", Doc: "a link to the item"},
			Var{Name: "Site", Doc: "the public URL of deskgate"},
		),
		Default: Template{
			Subject: `{{if .Assigned}}Assigned to you{{else}}No longer assigned to you{{end}}: {{.Item.Title}}`,
			Text: `Hello {{.Name}},

{{.ChangedBy}} {{if .Assigned}}assigned you to{{else}}removed you from{{end}} the item "{{.Item.Title}}" (#{{.Item.ID}}).

{{.Link}}
`,
			HTML: `<p>Hello {{.Name}},</p>
<p>{{.ChangedBy}} {{if .Assigned}}assigned you to{{else}}removed you from{{end}} the item <a href="{{.Link}}">{{.Item.Title}}</a> (#{{.Item.ID}}).</p>
`,
		},
	},
	NewMember: {
		Variables: withUser(
			Var{Name: "Project", Doc: "the project's name"},
			Var{Name: "Member", Doc: "the user or team that joined"},
			Var{Name: "AddedBy", Doc: "who added them"},
			Var{Name: "Link", Doc: "a link to the project"},
			Var{Name: "Site", Doc: "the public URL of deskgate"},
		),
		Default: Template{
			Subject: `{{.Member}} joined {{.Project}}`,
			Text: `Hello {{.Name}},

{{.Member}} now follows the project {{.Project}}{{if .AddedBy}} (added by {{.AddedBy}}){{end}}.

{{.Link}}
`,
			HTML: `<p>Hello {{.Name}},</p>
<p>{{.Member}} now follows the project <a href="{{.Link}}">{{.Project}}</a>{{if .AddedBy}} (added by {{.AddedBy}}){{end}}.</p>
`,
		},
	},
}

var itemVars = []Var{
	{Name: "ID", Doc: "the item's id"},
	{Name: "Title", Doc: "the item's title"},
	{Name: "Status", Doc: "the item's status, e.g. open or closed"},
	{Name: "Project", Doc: "the item's project name"},
}

// CustomVariables are what a custom template (used by automations) may
// name: the recipient (empty for a posted message), the item, the
// conversation and the event that ran the automation.
var CustomVariables = withUser(
	Var{Name: "Item", Doc: "the item the event is about", Fields: itemVars},
	Var{Name: "Conversation", Doc: "the conversation the event is about, if any", Fields: []Var{
		{Name: "ID", Doc: "the conversation's id"},
		{Name: "Subject", Doc: "its subject"},
		{Name: "Kind", Doc: "external or internal"},
	}},
	Var{Name: "Event", Doc: "the event, e.g. item.status_changed"},
	Var{Name: "Automation", Doc: "the automation's name"},
	Var{Name: "Site", Doc: "the public URL of deskgate"},
)

// SystemNames lists the system templates in a stable order.
func SystemNames() []string {
	return []string{Notification, Welcome, PasswordReset, Invitation, AssignmentChanged, NewMember}
}

// System returns the definition of system template name.
func System(name string) (Def, bool) {
	d, ok := systems[name]
	if !ok {
		return Def{}, false
	}
	d.Default.Name = name
	d.Variables = slices.Clone(d.Variables)
	return d, true
}

// IsSystem reports whether name is a system template.
func IsSystem(name string) bool { _, ok := systems[name]; return ok }

// VariablesOf returns the variables template name may use: its own for a
// system template, CustomVariables otherwise.
func VariablesOf(name string) []Var {
	if d, ok := systems[name]; ok {
		return slices.Clone(d.Variables)
	}
	return slices.Clone(CustomVariables)
}
