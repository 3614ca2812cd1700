package console_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/console"
)

// The first-run page keeps the console's rules: the strict policy, its own
// script only (no inline script or handler), no HTML written from strings.
func TestSetupPageKeepsThePolicy(t *testing.T) {
	res, page := get(t, console.SetupPage())
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || res.Header.Get("Content-Security-Policy") != console.CSP {
		t.Fatalf("GET /setup: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Security-Policy"))
	}
	if !strings.Contains(page, `src="/console/setup.js"`) || regexp.MustCompile(`<script(?:[^>]*)>[^<]+</script>|\son[a-z]+=`).MatchString(page) {
		t.Error("the setup page must load /console/setup.js and nothing inline")
	}
	res, js := get(t, console.Asset("setup.js"))
	if res.StatusCode != 200 || !strings.Contains(js, "/api/v1/setup") || strings.Contains(js, "innerHTML") {
		t.Errorf("setup.js: %d, %d bytes", res.StatusCode, len(js))
	}
}
