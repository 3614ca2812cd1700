package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/console"
)

func get(t *testing.T, h http.Handler) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Every file goes out with the strict policy, its own type and nosniff.
func TestFilesCarryPolicyAndType(t *testing.T) {
	cases := map[string]http.Handler{"text/html": console.Page()}
	for _, a := range console.Assets {
		cases[map[string]string{"app.js": "text/javascript", "app.css": "text/css"}[a]] = console.Asset(a)
	}
	for want, h := range cases {
		res, body := get(t, h)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), want) || body == "" {
			t.Errorf("%s: %d %q, %d bytes", want, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", want, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("%s: CSP %q allows unsafe sources", want, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", want)
		}
	}
}

// The page loads only deskgate's own files: no inline script, no
// remote source; the script never writes HTML from strings.
func TestNoInlineScriptNoRemoteNoInnerHTML(t *testing.T) {
	_, page := get(t, console.Page())
	if m := regexp.MustCompile(`<script(?:[^>]*)>[^<]+</script>`).FindString(page); m != "" {
		t.Errorf("inline script in the page: %q", m)
	}
	if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(page) {
		t.Error("the page loads something from another host")
	}
	if regexp.MustCompile(`\son[a-z]+=`).MatchString(page) {
		t.Error("inline event handler in the page")
	}
	_, js := get(t, console.Asset("app.js"))
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(js, bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
	if !strings.Contains(js, "sandbox: ''") {
		t.Error("mail HTML is not shown in a sandboxed iframe")
	}
}
