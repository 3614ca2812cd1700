package bridge

import (
	"bytes"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/deskgate/deskgate/store"
)

// What each account email's template sees.

// LinkData is what welcome and password_reset see: the user and the
// single-use set-password link.
type LinkData struct {
	User      Person
	Link      string // <public url>/reset-password?token=…
	ExpiresAt string // when the link stops working, RFC 1123 in UTC
}

// Ref names a project or an item.
type Ref struct {
	ID    uint64
	Title string // the project's name or the item's title
}

// InvitationData is what invitation sees.
type InvitationData struct {
	User      Person
	Project   Ref
	Team      string // the team invited, "" when the user is invited alone
	InvitedBy Person
	Link      string // the console, where the invitation is accepted
}

// AssignmentData is what assignment_changed sees.
type AssignmentData struct {
	User     Person
	Item     Ref
	Project  Ref
	Assigned bool // true: assigned to the item; false: removed from it
	By       Person
	Link     string
}

// NewMemberData is what new_member sees.
type NewMemberData struct {
	User    Person
	Project Ref
	Member  Person // the user who joined; empty when a team joined
	Team    string // the team that joined; "" when a user joined
	By      Person
	Link    string
}

// defaultTemplate is a built-in system template: subject, text, HTML.
type defaultTemplate struct{ subject, text, html string }

// defaultTemplates are the account emails' built-in texts.
var defaultTemplates = map[string]defaultTemplate{
	TemplateWelcome: {
		subject: "Welcome to deskgate",
		text: `Hello {{.User.Name}},

an account was created for you ({{.User.Email}}). Choose your password here:

{{.Link}}

The link works once, until {{.ExpiresAt}}.
`,
		html: `<p>Hello {{.User.Name}},</p>
<p>an account was created for you ({{.User.Email}}). <a href="{{.Link}}">Choose your password</a>.</p>
<p>The link works once, until {{.ExpiresAt}}.</p>`,
	},
	TemplatePasswordReset: {
		subject: "Reset your deskgate password",
		text: `Hello {{.User.Name}},

someone asked to reset the password of {{.User.Email}}. To choose a new one, open:

{{.Link}}

The link works once, until {{.ExpiresAt}}. If you did not ask, ignore this email: your password stays as it is.
`,
		html: `<p>Hello {{.User.Name}},</p>
<p>someone asked to reset the password of {{.User.Email}}. <a href="{{.Link}}">Choose a new password</a>.</p>
<p>The link works once, until {{.ExpiresAt}}. If you did not ask, ignore this email: your password stays as it is.</p>`,
	},
	TemplateInvitation: {
		subject: `Invitation to the project {{.Project.Title}}`,
		text: `Hello {{.User.Name}},

{{.InvitedBy.Name}} invited {{if .Team}}your team {{.Team}}{{else}}you{{end}} to follow the project "{{.Project.Title}}".
Accept or decline it in deskgate: {{.Link}}
`,
		html: `<p>Hello {{.User.Name}},</p>
<p>{{.InvitedBy.Name}} invited {{if .Team}}your team {{.Team}}{{else}}you{{end}} to follow the project “{{.Project.Title}}”.</p>
<p><a href="{{.Link}}">Accept or decline it in deskgate</a>.</p>`,
	},
	TemplateAssignmentChanged: {
		subject: `{{if .Assigned}}Assigned to you{{else}}Unassigned{{end}}: {{.Item.Title}}`,
		text: `Hello {{.User.Name}},

{{.By.Name}} {{if .Assigned}}assigned you to{{else}}removed you from{{end}} "{{.Item.Title}}" (project "{{.Project.Title}}").
{{.Link}}
`,
		html: `<p>Hello {{.User.Name}},</p>
<p>{{.By.Name}} {{if .Assigned}}assigned you to{{else}}removed you from{{end}} “{{.Item.Title}}” (project “{{.Project.Title}}”).</p>
<p><a href="{{.Link}}">Open deskgate</a></p>`,
	},
	TemplateNewMember: {
		subject: `New in {{.Project.Title}}: {{if .Team}}team {{.Team}}{{else}}{{.Member.Name}}{{end}}`,
		text: `Hello {{.User.Name}},

{{if .Team}}the team {{.Team}} now follows{{else}}{{.Member.Name}} <{{.Member.Email}}> now follows{{end}} the project "{{.Project.Title}}" (added by {{.By.Name}}).
{{.Link}}
`,
		html: `<p>Hello {{.User.Name}},</p>
<p>{{if .Team}}the team {{.Team}} now follows{{else}}{{.Member.Name}} &lt;{{.Member.Email}}&gt; now follows{{end}} the project “{{.Project.Title}}” (added by {{.By.Name}}).</p>
<p><a href="{{.Link}}">Open deskgate</a></p>`,
	},
}

// DefaultTemplates renders the built-in account emails, every one
// enabled. It stands in until a template store is plugged in.
type DefaultTemplates struct{}

// RenderSystem renders the built-in template name (SystemTemplates).
func (DefaultTemplates) RenderSystem(_ store.Tx, name string, data any) (string, string, string, bool, error) {
	d, ok := defaultTemplates[name]
	if !ok {
		return "", "", "", false, errorf(KindInvalid, "no system template %q", name)
	}
	var subj, text, html bytes.Buffer
	if err := texttemplate.Must(texttemplate.New("subject").Parse(d.subject)).Execute(&subj, data); err != nil {
		return "", "", "", false, err
	}
	if err := texttemplate.Must(texttemplate.New("text").Parse(d.text)).Execute(&text, data); err != nil {
		return "", "", "", false, err
	}
	if err := htmltemplate.Must(htmltemplate.New("html").Parse(d.html)).Execute(&html, data); err != nil {
		return "", "", "", false, err
	}
	return strings.TrimSpace(subj.String()), text.String(), html.String(), true, nil
}
