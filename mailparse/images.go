package mailparse

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// holdRemoteImages moves the src of every image that is not an inline part
// (cid:, RFC 2392) to data-src, in HTML bluemonday has already sanitized.
// A remote image is a tracking beacon: every agent who opened the mail
// would tell its sender when, from which address and with which browser.
// A UI that offers "show images" copies data-src back to src on request.
func holdRemoteImages(s string) string {
	if !strings.Contains(s, "<img") {
		return s
	}
	var out bytes.Buffer
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return out.String()
			}
			return s // cannot happen for bluemonday's output; keep it as it was
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		tok := z.Token()
		if tok.DataAtom != atom.Img {
			out.Write(raw)
			continue
		}
		for i, a := range tok.Attr {
			if a.Namespace == "" && a.Key == "src" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "cid:") {
				tok.Attr[i].Key = "data-src"
			}
		}
		out.WriteString(tok.String())
	}
}
