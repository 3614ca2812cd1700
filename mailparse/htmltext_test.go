package mailparse

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<p>Hello<b> team</b>!</p><p>Second</p>", "Hello *team*!\n\nSecond"},
		{"<div>a</div><div>b</div>", "a\nb"},
		{"line<br>break", "line\nbreak"},
		{"<ul><li>one</li><li>two</li></ul><ol><li>x</li><li>y</li></ol>", "- one\n- two\n\n1. x\n2. y"},
		{`<a href="https://e.com/x">docs</a> and <a href="https://e.com/">https://e.com/</a>`, "docs (https://e.com/x) and https://e.com/"},
		{`<a href="javascript:evil()">click</a>`, "click"},
		{"<p>reply</p><blockquote><p>old</p><blockquote>older</blockquote></blockquote>", "reply\n\n> old\n>\n>> older"},
		{"<pre>  keep\n    this</pre>", "keep\n    this"},
		{"<head><title>T</title><style>x{}</style></head><script>s()</script>body", "body"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"a&nbsp;&amp;&lt;b", "a &<b"},
	}
	for _, c := range cases {
		if got := htmlToText(c.in); got != c.want {
			t.Errorf("htmlToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHTMLToTextDeepNesting(t *testing.T) {
	in := strings.Repeat("<b><a href='https://x.y/'>", 5000) + "deep" + strings.Repeat("</a></b>", 5000)
	if got := htmlToText(in); !strings.Contains(got, "deep") && got != "" {
		t.Errorf("deep nesting: %q", got)
	}
}
