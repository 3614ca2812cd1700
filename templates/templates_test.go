package templates

import (
	"errors"
	"strings"
	"testing"
)

func TestSystemDefaultsValidate(t *testing.T) {
	if len(SystemNames()) != 6 {
		t.Fatalf("want 6 system templates, got %d", len(SystemNames()))
	}
	for _, name := range SystemNames() {
		d, ok := System(name)
		if !ok {
			t.Fatalf("%s: not defined", name)
		}
		if d.Default.Name != name {
			t.Errorf("%s: default named %q", name, d.Default.Name)
		}
		if err := Validate(d.Default, d.Variables); err != nil {
			t.Errorf("%s: default does not validate: %v", name, err)
		}
		r, err := Render(d.Default, Sample(d.Variables))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.Subject == "" || r.Text == "" || r.HTML == "" || strings.Contains(r.Text+r.Subject, "<no value>") {
			t.Errorf("%s: rendered %+v", name, r)
		}
	}
	for _, name := range []string{Notification, PasswordReset} {
		if d, _ := System(name); !d.Locked {
			t.Errorf("%s must be locked", name)
		}
	}
	if d, _ := System(Welcome); d.Locked {
		t.Error("welcome must not be locked")
	}
}

func TestValidateNamesLine(t *testing.T) {
	vars := VariablesOf(Notification)
	base, _ := System(Notification)
	cases := []struct {
		name, part string
		line       int
		mutate     func(*Template)
		want       string
	}{
		{"unknown variable", PartText, 3, func(t *Template) { t.Text = "a\nb\n{{.Nope}}\n" }, ".Nope"},
		{"unknown field in range", PartHTML, 2, func(t *Template) { t.HTML = "<p>\n{{range .Messages}}{{.Auther}}{{end}}" }, ".Auther"},
		{"field of a scalar", PartSubject, 1, func(t *Template) { t.Subject = "{{.Subject.X}}" }, ".X"},
		{"range over scalar", PartText, 2, func(t *Template) { t.Text = "x\n{{range .Subject}}{{end}}" }, "not a list"},
		{"range over a number", PartText, 2, func(t *Template) { t.Text = "x\n{{range 9000000000000000000}}{{end}}" }, "only over a list"},
		{"range over a count", PartText, 1, func(t *Template) { t.Text = "{{range len .Messages}}{{end}}" }, "only over a list"},
		{"range over an int variable", PartText, 1, func(t *Template) { t.Text = "{{$n := .ConversationID}}{{range $n}}{{end}}" }, "not a list"},
		{"ranges nested deep", PartHTML, 1, func(t *Template) {
			t.HTML = "{{range .Messages}}{{range .Attachments}}{{range $.Messages}}{{end}}{{end}}{{end}}"
		}, "nest"},
		{"range squared", PartText, 1, func(t *Template) { t.Text = "{{range .Messages}}{{range $.Messages}}{{end}}{{end}}" }, "own list"},
		{"field of a list", PartText, 1, func(t *Template) { t.Text = "{{.Messages.Body}}" }, "list"},
		{"variable in range", PartText, 1, func(t *Template) { t.Text = "{{range $m := .Messages}}{{$m.Bodyx}}{{end}}" }, ".Bodyx"},
		{"root variable", PartText, 1, func(t *Template) { t.Text = "{{range .Messages}}{{$.Nope}}{{end}}" }, ".Nope"},
		{"parse error", PartText, 3, func(t *Template) { t.Text = "ok\n{{if .Subject}}\n" }, "unexpected EOF"},
		{"unclosed action", PartHTML, 4, func(t *Template) { t.HTML = "\n\n\n{{.Subject" }, ""},
		{"template call", PartText, 1, func(t *Template) { t.Text = `{{template "x"}}` }, "not supported"},
		{"define", PartText, 0, func(t *Template) { t.Text = `{{define "x"}}y{{end}}z` }, "not supported"},
		{"with", PartText, 1, func(t *Template) { t.Text = `{{with .Item}}{{.Titel}}{{end}}` }, ".Titel"},
		{"html escaper", PartHTML, 0, func(t *Template) { t.HTML = `<a href="{{.Subject}}` }, ""},
		{"empty subject", PartSubject, 0, func(t *Template) { t.Subject = "" }, "required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := base.Default
			c.mutate(&tm)
			err := Validate(tm, vars)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Part != c.part || (c.line != 0 && e.Line != c.line) || !strings.Contains(e.Msg, c.want) {
				t.Fatalf("got part %q line %d msg %q (%v); want part %q line %d containing %q", e.Part, e.Line, e.Msg, err, c.part, c.line, c.want)
			}
			if c.line != 0 && !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error %q does not name the line", err)
			}
		})
	}
}

func TestValidateAcceptsFunctionsAndVariables(t *testing.T) {
	tm := Template{Subject: `{{printf "%d new" .Count}}`, Text: `{{$n := len .Messages}}{{$n}} {{range $i, $m := .Messages}}{{$i}}{{$m.Author | printf "%s"}}{{range $m.Attachments}}{{.Filename}}{{end}}{{end}}{{with .Item}}{{.Title}}{{end}}{{index .Messages 0}}`, HTML: `<p>{{.Name}}</p>`}
	if err := Validate(tm, VariablesOf(Notification)); err != nil {
		t.Fatal(err)
	}
}

func TestRenderEscapesHTMLAndSubject(t *testing.T) {
	d, _ := System(Notification)
	data := Sample(d.Variables)
	data["Subject"] = "Hi\r\nBcc: victim@example.com"
	data["Messages"] = []any{map[string]any{"Author": `<script>alert(1)</script>`, "At": "now", "Body": `<img src=x onerror=alert(1)>`, "Attachments": []any{}}}
	r, err := Render(d.Default, data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") || r.Subject != "Hi Bcc: victim@example.com" {
		t.Errorf("subject %q", r.Subject)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<img") {
		t.Errorf("HTML not escaped: %s", r.HTML)
	}
	if !strings.Contains(r.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("escaped author missing: %s", r.HTML)
	}
	if !strings.Contains(r.Text, "<script>alert(1)</script>") {
		t.Errorf("text should carry the author as written: %s", r.Text)
	}
	// A javascript: link in a variable is neutralised in an href.
	r, err = Render(Template{Subject: "s", Text: "t", HTML: `<a href="{{.Link}}">x</a>`}, map[string]any{"Link": "javascript:alert(1)"})
	if err != nil || strings.Contains(r.HTML, "javascript:") {
		t.Errorf("href not sanitised: %q %v", r.HTML, err)
	}
}

func TestRenderBounded(t *testing.T) {
	msgs := make([]any, 5000)
	for i := range msgs {
		msgs[i] = map[string]any{"Body": strings.Repeat("x", 4096)}
	}
	_, err := Render(Template{Subject: "s", Text: "{{range .Messages}}{{.Body}}{{end}}"}, map[string]any{"Messages": msgs})
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("want too long, got %v", err)
	}
}

func TestMergeAndNames(t *testing.T) {
	m := Merge(VariablesOf(Notification), map[string]any{"Name": "Bob", "Item": map[string]any{"Title": "T"}})
	if m["Name"] != "Bob" || m["Item"].(map[string]any)["Title"] != "T" || m["Item"].(map[string]any)["Status"] != "closed" {
		t.Fatalf("merge: %v", m)
	}
	for _, bad := range []string{"", "A", "1x", "a-b", strings.Repeat("a", 65)} {
		if ValidName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if ValidName("closed_notice") != nil {
		t.Error("closed_notice refused")
	}
}
