package mailparse

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an HTML body into readable plain text: block elements
// become line breaks, lists get "- " or "1. ", links keep their target,
// <b>/<strong> become *bold*, and <blockquote> lines are prefixed with "> "
// so ExtractReply recognises quoted history in HTML-only replies (Gmail's
// gmail_quote, Apple Mail's type=cite). Scripts, styles and the head are
// dropped.
func htmlToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return strings.TrimSpace(s)
	}
	w := &textWriter{}
	w.node(doc, 0)
	return tidyText(w.b.String())
}

// textWriter accumulates text, emitting line breaks and quote prefixes
// lazily so no leading or doubled blank lines appear.
type textWriter struct {
	b         strings.Builder
	quote     int  // current blockquote depth
	pre       int  // inside <pre>
	breaks    int  // line breaks owed before the next text
	space     bool // a space is owed before the next word
	lineStart bool
	leadSpace bool // the first text written began with whitespace
	trail     int  // line breaks at the end of b (blank lines count)
	lineText  bool // the current line has text
}

// maxHTMLDepth bounds recursion on absurdly nested markup.
const maxHTMLDepth = 200

// blockBreaks says how many line breaks surround a block element.
var blockBreaks = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Blockquote: 2, atom.Pre: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2, atom.Hr: 2,
	atom.Div: 1, atom.Tr: 1, atom.Li: 1, atom.Section: 1, atom.Article: 1,
	atom.Header: 1, atom.Footer: 1, atom.Address: 1, atom.Dl: 1, atom.Dt: 1, atom.Dd: 1,
	atom.Center: 1, atom.Form: 1, atom.Fieldset: 1, atom.Tbody: 1, atom.Thead: 1,
}

func (w *textWriter) node(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		w.children(n, depth)
		return
	default:
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template, atom.Iframe, atom.Object:
		return
	case atom.Br:
		w.breaks++
		w.space = false
		return
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			w.text("[" + alt + "]")
		}
		return
	case atom.Td, atom.Th:
		w.space = true
		w.children(n, depth)
		w.space = true
		return
	case atom.B, atom.Strong:
		w.wrap(n, depth, "*")
		return
	case atom.A:
		w.link(n, depth)
		return
	}
	brk, block := blockBreaks[n.DataAtom]
	if !block {
		w.children(n, depth)
		return
	}
	w.block(brk)
	switch n.DataAtom {
	case atom.Blockquote:
		w.flushBreaks()
		w.quote++
		w.children(n, depth)
		w.quote--
	case atom.Pre:
		w.pre++
		w.children(n, depth)
		w.pre--
	case atom.Li:
		w.text(listMarker(n))
		w.space = true
		w.children(n, depth)
	case atom.Hr:
		w.text("---")
	default:
		w.children(n, depth)
	}
	w.block(brk)
}

func (w *textWriter) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, depth+1)
	}
}

// wrap writes the element's text between marks, as in *bold*.
func (w *textWriter) wrap(n *html.Node, depth int, mark string) {
	t := w.inner(n, depth)
	if t == "" {
		return
	}
	if strings.Contains(t, "\n") {
		w.lines(t)
		return
	}
	w.text(mark + t + mark)
}

// link writes the anchor text followed by its http(s) target when the two
// differ, so the reader still sees where it points.
func (w *textWriter) link(n *html.Node, depth int) {
	href := strings.TrimSpace(attr(n, "href"))
	t := w.inner(n, depth)
	web := strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")
	switch {
	case t == "" && web:
		w.text(href)
	case strings.Contains(t, "\n"):
		w.lines(t)
	case t == "":
	case !web || t == href || strings.TrimSuffix(href, "/") == strings.TrimSuffix(t, "/"):
		w.text(t)
	default:
		w.text(t)
		w.space = true
		w.text("(" + href + ")")
	}
}

// inner renders the children of n once, on their own, and returns the
// trimmed text (each node is rendered once per enclosing <b> or <a>, never
// twice per level, so nesting cannot blow up).
func (w *textWriter) inner(n *html.Node, depth int) string {
	sub := &textWriter{pre: w.pre}
	sub.children(n, depth)
	if sub.leadSpace {
		w.space = true
	}
	return strings.TrimSpace(sub.b.String())
}

// lines writes multi-line inner text line by line, keeping the quote
// prefix of the current position.
func (w *textWriter) lines(t string) {
	for i, l := range strings.Split(t, "\n") {
		if i > 0 {
			w.breaks++
		}
		w.text(l)
	}
}

// listMarker is "- " in <ul> and "N." in <ol>.
func listMarker(li *html.Node) string {
	if li.Parent == nil || li.Parent.DataAtom != atom.Ol {
		return "-"
	}
	n := 1
	for s := li.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode && s.DataAtom == atom.Li {
			n++
		}
	}
	return strconv.Itoa(n) + "."
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// block owes at least n line breaks (capped at a blank line).
func (w *textWriter) block(n int) {
	if n > w.breaks {
		w.breaks = n
	}
	w.space = false
}

func (w *textWriter) flushBreaks() {
	if w.b.Len() == 0 {
		w.breaks = 0
		return
	}
	for n := w.breaks - w.trail; n > 0; n-- {
		w.raw("\n")
	}
	w.breaks = 0
}

// collapseSpace turns every run of HTML whitespace (and no-break spaces,
// which mail HTML uses for indentation) into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inSpace := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' {
			if !inSpace {
				b.WriteByte(' ')
			}
			inSpace = true
			continue
		}
		inSpace = false
		b.WriteRune(r)
	}
	return b.String()
}

// text writes a text node, collapsing whitespace outside <pre>.
func (w *textWriter) text(s string) {
	if w.pre > 0 {
		w.flushBreaks()
		w.raw(normalizeNewlines(s))
		return
	}
	s = collapseSpace(s)
	if s == "" {
		return
	}
	if s == " " {
		w.space = true
		if w.b.Len() == 0 {
			w.leadSpace = true
		}
		return
	}
	lead, trail := s[0] == ' ', s[len(s)-1] == ' '
	s = strings.TrimSpace(s)
	if w.b.Len() == 0 && (lead || w.space) {
		w.leadSpace = true
	}
	if w.breaks > 0 && w.b.Len() > 0 {
		w.flushBreaks()
	} else if (lead || w.space) && !w.lineStart && w.b.Len() > 0 {
		w.raw(" ")
	}
	w.breaks = 0
	w.raw(s)
	w.space = trail
}

// raw writes s, putting the quote prefix at the start of every line.
func (w *textWriter) raw(s string) {
	for len(s) > 0 {
		if w.b.Len() == 0 || w.lineStart {
			if w.quote > 0 {
				w.b.WriteString(strings.Repeat(">", w.quote) + " ")
			}
			w.lineStart = false
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			w.b.WriteString(s)
			if strings.TrimSpace(s) != "" {
				w.lineText, w.trail = true, 0
			}
			return
		}
		w.b.WriteString(s[:i+1])
		if w.lineText || strings.TrimSpace(s[:i]) != "" {
			w.trail = 1
		} else {
			w.trail++
		}
		w.lineText = false
		w.lineStart = true
		s = s[i+1:]
	}
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// tidyText trims trailing spaces on each line, collapses runs of blank
// lines and trims the whole.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	return strings.TrimSpace(blankRuns.ReplaceAllString(s, "\n\n"))
}
