package templates

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"unicode"
)

// MaxRenderedBytes bounds what one part may grow to when rendered (a
// range over many messages), so a template cannot exhaust memory.
const MaxRenderedBytes = 8 << 20

// maxSubjectRunes keeps the Subject header line well inside RFC 5322
// §2.1.1's 998 characters.
const maxSubjectRunes = 200

// Rendered is a rendered email: a one-line subject and two bodies.
type Rendered struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

var errTooLong = errors.New("rendered text is too long")

// limitedBuffer refuses to grow beyond MaxRenderedBytes.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxRenderedBytes {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}

// Render renders t with data (a map[string]any or a struct whose fields
// carry the variables' names). Subject and text use text/template; HTML
// uses html/template, so values are escaped for their context. The
// subject comes back as one cleaned line. A missing variable renders as
// its zero value. Errors are *Error values naming part and line.
func Render(t Template, data any) (Rendered, error) {
	c, err := Compile(t)
	if err != nil {
		return Rendered{}, err
	}
	return c.Render(data)
}

// Compiled is a parsed template, to render many times (a burst of
// notification emails parses once). It is safe for concurrent use.
type Compiled struct {
	subj, text *texttemplate.Template
	html       *htmltemplate.Template
	hasHTML    bool
	reads      reads
}

// Compile parses t's three parts.
func Compile(t Template) (*Compiled, error) {
	subj, text, html, err := compile(t)
	if err != nil {
		return nil, err
	}
	c := &Compiled{subj: subj, text: text, html: html, hasHTML: strings.TrimSpace(t.HTML) != ""}
	c.reads = readsOf(subj.Tree, text.Tree, html.Tree)
	if len(subj.Templates()) > 1 || len(text.Templates()) > 1 || len(html.Templates()) > 1 {
		c.reads.all = true // {{define}}: templates beside the one walked
	}
	return c, nil
}

// Render renders c with data, as the function Render does.
func (c *Compiled) Render(data any) (Rendered, error) {
	subj, text, html := c.subj, c.text, c.html
	var r Rendered
	var b limitedBuffer
	if err := subj.Execute(&b, data); err != nil {
		return r, asError(PartSubject, err)
	}
	r.Subject = OneLine(b.String())
	b.Reset()
	if err := text.Execute(&b, data); err != nil {
		return r, asError(PartText, err)
	}
	r.Text = b.String()
	b.Reset()
	if c.hasHTML {
		if err := html.Execute(&b, data); err != nil {
			return r, asError(PartHTML, err)
		}
		r.HTML = b.String()
	}
	return r, nil
}

// OneLine makes s safe as a header's value: control characters (CR and
// LF above all: header injection, RFC 5322 §2.2) and Unicode line and
// paragraph separators become spaces, runs of white space collapse, and
// it is cut to 200 characters.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxSubjectRunes {
		s = strings.TrimSpace(string(r[:maxSubjectRunes])) + "…"
	}
	return s
}
