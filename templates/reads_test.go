package templates

import "testing"

// MayRead is false only for a variable no part of the template can reach.
func TestMayRead(t *testing.T) {
	def, _ := System(Notification)
	for _, tc := range []struct {
		name string
		t    Template
		want map[string]bool
	}{
		{"default notification", def.Default, map[string]bool{"Name": false, "Email": false, "Messages": true, "Subject": true}},
		{"field", Template{Text: "Hi {{.Name}}"}, map[string]bool{"Name": true, "Email": false}},
		{"in the subject", Template{Subject: "{{.Email}}"}, map[string]bool{"Email": true, "Name": false}},
		{"in the HTML", Template{HTML: "<p>{{if .Name}}x{{end}}</p>"}, map[string]bool{"Name": true, "Email": false}},
		{"through $", Template{Text: "{{range .Messages}}{{$.Name}}{{end}}"}, map[string]bool{"Name": true, "Email": false}},
		{"index by key", Template{Text: `{{index . "Email"}}`}, map[string]bool{"Email": true}},
		{"dot whole", Template{Text: `{{printf "%v" .}}`}, map[string]bool{"Email": true, "Name": true}},
		{"$ whole", Template{Text: `{{with $}}x{{end}}`}, map[string]bool{"Email": true}},
		{"a variable of dot", Template{Text: `{{$x := .}}{{$x.Email}}`}, map[string]bool{"Email": true, "Name": true}},
		{"a chain", Template{Text: `{{(.Item).Email}}`}, map[string]bool{"Email": true, "Name": false}},
		{"else branch", Template{Text: `{{if .Count}}{{else}}{{.Name}}{{end}}`}, map[string]bool{"Name": true}},
		{"range else", Template{Text: `{{range .Messages}}{{.Body}}{{else}}{{.Email}}{{end}}`}, map[string]bool{"Email": true, "Name": false}},
		{"sub-template", Template{Text: `{{define "x"}}y{{end}}{{template "x"}}`}, map[string]bool{"Email": true}},
	} {
		c, err := Compile(tc.t)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for v, want := range tc.want {
			if got := c.MayRead(v); got != want {
				t.Errorf("%s: MayRead(%q) = %v, want %v", tc.name, v, got, want)
			}
		}
	}
}
