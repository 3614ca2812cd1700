// Package console is the web console of SPEC §13: plain HTML, ES modules (one
// per page, no dependencies) and a stylesheet, embedded in the binary and served
// by the API server at / (no build step, no toolchain, no CDN). The
// modules talk to the JSON API with a session token from POST
// /api/v1/auth/login, sent as a Bearer token; it is never a cookie, so
// the API needs no CSRF defence beyond what it has.
package console

import (
	"embed"
	"net/http"
	"path"
)

//go:embed static
var static embed.FS

// CSP is the Content-Security-Policy of every console response: only
// deskgate's own script and styles; mail HTML is shown in sandboxed
// iframes, which inherit it (no remote images, no inline script).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Assets are the files served under /console/ beside the page: the
// stylesheet, the icon and the ES modules (app.js imports the others).
var Assets = []string{"app.js", "app.css", "favicon.svg",
	"api.js", "ui.js", "events.js", "messenger.js", "conversation.js", "email.js",
	"maillog.js", "mailread.js", "messaging.js", "automations.js", "people.js", "settings.js"}

var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// Page serves the console's single page (for /, /reset-password).
func Page() http.Handler { return file("index.html") }

// SetupPage serves the first-run page (GET /setup, SPEC §10): a form of
// its own with its own small script (setup.js), so it works before any
// account exists and stays apart from the console's module.
func SetupPage() http.Handler { return file("setup.html") }

// Favicon serves the icon at /favicon.ico too, where browsers ask for it
// whatever the page says.
func Favicon() http.Handler { return file("favicon.svg") }

// Asset serves one of Assets.
func Asset(name string) http.Handler { return file(name) }

func file(name string) http.Handler {
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		panic("console: missing embedded file " + name) // a build mistake, caught by the tests
	}
	ct := types[path.Ext(name)]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(b)
	})
}
