package mailparse

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// newPolicy is bluemonday's user-generated-content policy (no scripts, no
// event handlers, no style, no forms, only http, https and mailto links)
// plus cid: URLs so inline images (RFC 2392) keep working, and the
// presentational table attributes mail clients rely on.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.AllowAttrs("align", "valign", "width", "height", "bgcolor", "border", "cellpadding", "cellspacing", "colspan", "rowspan").
		OnElements("table", "tr", "td", "th", "tbody", "thead", "tfoot", "img", "div", "p")
	p.AllowAttrs("color").Matching(regexp.MustCompile(`^#?[0-9a-zA-Z]{1,20}$`)).OnElements("font")
	p.AllowElements("font", "center")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^cite$`)).OnElements("blockquote")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[a-zA-Z0-9_\- ]{1,100}$`)).Globally()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// policy is immutable after construction and safe for concurrent use
// (bluemonday documents Sanitize as goroutine-safe once built).
var policy = newPolicy()

// sanitizeHTML removes what must not reach a browser: scripts, event
// handlers, javascript: and data: URLs, forms, styles, frames; and it holds
// back remote images (their src becomes data-src, images.go).
func sanitizeHTML(html string) string {
	return holdRemoteImages(policy.Sanitize(html))
}
