package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path"
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
	cases := map[string]http.Handler{"index.html": console.Page(), "/favicon.ico": console.Favicon()}
	for _, a := range console.Assets {
		cases[a] = console.Asset(a)
	}
	types := map[string]string{".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".ico": "image/svg+xml"}
	for name, h := range cases {
		want := types[path.Ext(name)]
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
	frames := 0
	for _, a := range console.Assets {
		if path.Ext(a) != ".js" {
			continue
		}
		_, js := get(t, console.Asset(a))
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "allow-scripts"} {
			if strings.Contains(js, bad) {
				t.Errorf("%s uses %s", a, bad)
			}
		}
		// Every frame is sandboxed (mail and template HTML), never with scripts.
		for _, m := range regexp.MustCompile(`h\('iframe', \{[^}]*`).FindAllString(js, -1) {
			frames++
			if !regexp.MustCompile(`sandbox: '(allow-same-origin)?'`).MatchString(m) {
				t.Errorf("%s: a frame without the sandbox: %s", a, m)
			}
		}
		if !strings.HasPrefix(a, "app") && !strings.Contains(js, "export ") {
			t.Errorf("%s is not a module", a)
		}
	}
	if frames < 2 {
		t.Errorf("%d sandboxed frames found in the modules, want the mail's and the template preview's", frames)
	}
}

// Every module app.js imports, directly or not, is served.
func TestModulesAreServed(t *testing.T) {
	served := map[string]bool{}
	for _, a := range console.Assets {
		served[a] = true
	}
	for _, a := range console.Assets {
		if path.Ext(a) != ".js" {
			continue
		}
		_, js := get(t, console.Asset(a))
		for _, m := range regexp.MustCompile(`from '\./([a-z]+\.js)'`).FindAllStringSubmatch(js, -1) {
			if !served[m[1]] {
				t.Errorf("%s imports %s, which is not served", a, m[1])
			}
		}
	}
}
