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

// Remote images are held back as data-src (a UI may offer "show images");
// inline cid: images stay. Before: every agent opening the mail fetched
// the sender's tracking pixel.
func TestSanitizeHTMLHoldsRemoteImages(t *testing.T) {
	in := `<p>Hi</p><img src="https://track.example/p.gif?u=1&amp;v=2" width="1" height="1"><IMG SRC="HTTP://track.example/b.png" alt="b"/>` +
		`<img src="cid:logo@x" alt="logo"><img src="/relative.png"><a href="https://example.com/"><img src="https://cdn.example/x.png"></a>`
	out := sanitizeHTML(in)
	for _, bad := range []string{` src="https:`, ` src="http:`, ` src="HTTP:`, ` src="/relative`} {
		if strings.Contains(out, bad) {
			t.Errorf("remote image kept (%q): %s", bad, out)
		}
	}
	for _, want := range []string{`<img data-src="https://track.example/p.gif?u=1&amp;v=2" width="1" height="1">`, `data-src="http://track.example/b.png"`,
		`<img src="cid:logo@x" alt="logo">`, `data-src="/relative.png"`, `data-src="https://cdn.example/x.png"`, `<p>Hi</p>`, `href="https://example.com/"`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q: %s", want, out)
		}
	}
}
