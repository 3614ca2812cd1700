package webapi_test

import (
	"strings"
	"testing"
)

// A template with a printf width past the bound is refused when saved and
// when previewed, at once and without rendering it (issue 20).
func TestTemplatePrintfWidthRefused(t *testing.T) {
	e := newEnv(t)
	e.fixture()
	wide := strings.Repeat(`{{printf "%0999999999d" 1}}`, 150) // ~4 KB
	for _, c := range []struct{ method, path string }{
		{"PUT", "/api/v1/templates/welcome"},
		{"POST", "/api/v1/templates/welcome/preview"},
	} {
		r := e.must(422, c.method, c.path, adminToken, map[string]any{"text": wide})
		if !strings.Contains(string(r.body), "printf") || !strings.Contains(string(r.body), "more than 100") {
			t.Fatalf("%s %s: %s", c.method, c.path, r.body)
		}
	}
	e.must(422, "POST", "/api/v1/templates", adminToken, map[string]any{"name": "wide", "subject": `{{printf "%.5000s" "x"}}`, "text": "x"})
	e.must(200, "POST", "/api/v1/templates/welcome/preview", adminToken, map[string]any{"text": `{{printf "%05d" 7}}`})
}
