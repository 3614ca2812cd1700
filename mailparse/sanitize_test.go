package mailparse

import (
	"strings"
	"testing"
)

func TestSanitizeHTMLRemovesActiveContent(t *testing.T) {
	in := `<a href="JaVaScRiPt:alert(1)">a</a><img src=x onerror=alert(2)><svg onload=alert(3)></svg>` +
		`<iframe src="https://evil.example/"></iframe><a href="data:text/html,<script>x</script>">d</a>` +
		`<div style="background:url(javascript:alert(4))">s</div><form action="https://evil.example/p"><input></form>` +
		`<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/">` +
		`<object data="x"></object><embed src="x"><link rel="stylesheet" href="https://evil.example/c.css">` +
		`<img src="data:image/png;base64,AAAA"><p onmouseover="x()">text</p>`
	out := sanitizeHTML(in)
	for _, bad := range []string{"javascript", "onerror", "onload", "<svg", "<iframe", "data:", "style=", "<form", "<input",
		"<meta", "<base", "<object", "<embed", "<link", "onmouseover", "evil.example", "alert"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("sanitized HTML contains %q: %s", bad, out)
		}
	}
	if !strings.Contains(out, "<p>text</p>") {
		t.Errorf("lost harmless content: %s", out)
	}
}

func TestSanitizeHTMLKeepsMailMarkup(t *testing.T) {
	in := `<table border="0" cellpadding="2"><tr><td align="right">x</td></tr></table><img src="cid:logo@x" alt="logo">` +
		`<a href="https://example.com/">link</a><blockquote type="cite">old</blockquote>`
	out := sanitizeHTML(in)
	for _, want := range []string{`cellpadding="2"`, `align="right"`, `src="cid:logo@x"`, `href="https://example.com/"`, `rel="nofollow noopener"`, `<blockquote type="cite">`} {
		if !strings.Contains(out, want) {
			t.Errorf("sanitized HTML lacks %q: %s", want, out)
		}
	}
}
