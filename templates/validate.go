package templates

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
	"unicode/utf8"
)

// Limits on what an admin may store.
const (
	MaxSubjectBytes = 1 << 10
	MaxBodyBytes    = 256 << 10
	maxNameBytes    = 64
)

// Parts of a template, as named in errors.
const (
	PartSubject = "subject"
	PartText    = "text"
	PartHTML    = "html"
)

// Error is a mistake in a template: which part, which line (1-based, 0 if
// none applies) and what.
type Error struct {
	Part string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.Part, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Part, e.Msg)
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ValidName reports whether name may name a template: lower-case letters,
// digits and underscores, starting with a letter, at most 64 bytes.
func ValidName(name string) error {
	if len(name) > maxNameBytes || !nameRE.MatchString(name) {
		return errors.New("name: lower-case letters, digits and _ only, starting with a letter, at most 64 characters")
	}
	return nil
}

// Validate checks that every part of t parses, names only the variables
// vars documents (fields of records and list elements included), uses no
// {{define}}/{{template}}/{{block}}, and renders with sample data of vars
// (which also runs html/template's contextual escaper, so an HTML body
// that cannot be escaped safely is refused here, not at send time). The
// error is an *Error naming the part and the line.
func Validate(t Template, vars []Var) error {
	for _, p := range []struct {
		part, src string
		max       int
	}{{PartSubject, t.Subject, MaxSubjectBytes}, {PartText, t.Text, MaxBodyBytes}, {PartHTML, t.HTML, MaxBodyBytes}} {
		if len(p.src) > p.max {
			return &Error{Part: p.part, Msg: fmt.Sprintf("longer than %d bytes", p.max)}
		}
		if !utf8.ValidString(p.src) {
			return &Error{Part: p.part, Msg: "not valid UTF-8"}
		}
		trees, err := parseTrees(p.part, p.src)
		if err != nil {
			return err
		}
		if len(trees) > 1 {
			return &Error{Part: p.part, Msg: "{{define}} and {{block}} are not supported"}
		}
		if tr := trees[p.part]; tr != nil && tr.Root != nil {
			c := &checker{part: p.part, tree: tr, root: &Var{Fields: vars}}
			c.list(tr.Root, c.root, map[string]*Var{"$": c.root})
			if c.err != nil {
				return c.err
			}
		}
	}
	if t.Subject == "" {
		return &Error{Part: PartSubject, Msg: "required"}
	}
	if strings.TrimSpace(t.Text) == "" {
		return &Error{Part: PartText, Msg: "required"}
	}
	// Executing with samples finds what parsing cannot: html/template's
	// escaping errors and misuse of built-in functions.
	if _, err := Render(t, Sample(vars)); err != nil {
		return err
	}
	return nil
}

// parseTrees parses src with the built-in functions, as text/template
// does, and returns its trees.
func parseTrees(part, src string) (map[string]*parse.Tree, error) {
	tmpl, err := texttemplate.New(part).Parse(src)
	if err != nil {
		return nil, asError(part, err)
	}
	trees := map[string]*parse.Tree{}
	for _, t := range tmpl.Templates() {
		trees[t.Name()] = t.Tree
	}
	return trees, nil
}

// lineRE finds the line in an error of text/template ("template: text:3:
// ...") or html/template ("html/template:html:3:14: ...").
var lineRE = regexp.MustCompile(`template: ?[a-z]+:(\d+):(?:\d+:)? ?`)

// asError turns an error of text/template or html/template into an
// *Error with the line.
func asError(part string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := err.Error()
	line := 0
	if m := lineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "html/"), "template: ")
	msg = strings.TrimSpace(msg)
	return &Error{Part: part, Line: line, Msg: msg}
}

// checker walks a parse tree and checks every variable reference against
// the documented variables. A nil *Var means "unknown type" (the result
// of a function): anything may be taken from it.
type checker struct {
	part  string
	tree  *parse.Tree
	root  *Var
	err   error
	depth int // ranges the current node is inside
}

// maxRangeDepth bounds how deeply ranges nest (messages, then their
// attachments). Rendering costs the product of the nested lists' lengths,
// and a notification of a few hundred messages under a handful of nested
// ranges would run for hours inside the outbox transaction.
const maxRangeDepth = 2

func (c *checker) fail(n parse.Node, format string, args ...any) {
	if c.err != nil {
		return
	}
	loc, _ := c.tree.ErrorContext(n)
	line := 0
	if parts := strings.Split(loc, ":"); len(parts) >= 2 {
		line, _ = strconv.Atoi(parts[1])
	}
	c.err = &Error{Part: c.part, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func copyVars(m map[string]*Var) map[string]*Var {
	n := make(map[string]*Var, len(m))
	for k, v := range m {
		n[k] = v
	}
	return n
}

func (c *checker) list(l *parse.ListNode, dot *Var, vars map[string]*Var) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		c.node(n, dot, vars)
	}
}

func (c *checker) node(n parse.Node, dot *Var, vars map[string]*Var) {
	switch n := n.(type) {
	case *parse.ActionNode:
		c.pipe(n.Pipe, dot, vars)
	case *parse.IfNode:
		inner := copyVars(vars)
		c.pipe(n.Pipe, dot, inner)
		c.list(n.List, dot, inner)
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.WithNode:
		inner := copyVars(vars)
		t := c.pipe(n.Pipe, dot, inner)
		c.list(n.List, t, inner)
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.RangeNode:
		inner := copyVars(vars)
		t := c.pipeNoDecl(n.Pipe, dot, inner)
		var elem *Var
		switch {
		case t == nil:
			// A number ({{range 1000000000}}, {{range len .Messages}}) or
			// a function's result: Go ranges over integers, so this would
			// loop as long as the number says. Only lists are ranged over.
			c.fail(n, "range works only over a list variable (such as .Messages or .Attachments)")
		case !t.List:
			c.fail(n, "cannot range over %s: not a list", nameOf(t))
		default:
			elem = &Var{Name: t.Name, Fields: t.Fields}
		}
		if c.depth >= maxRangeDepth {
			c.fail(n, "ranges nest at most %d deep", maxRangeDepth)
		}
		if c.depth > 0 && c.rootList(t) {
			// {{range .Messages}}{{range $.Messages}}: the square of the list.
			c.fail(n, "a range inside a range goes over the element's own list (such as .Attachments), not %s again", nameOf(t))
		}
		switch len(n.Pipe.Decl) {
		case 1:
			inner[n.Pipe.Decl[0].Ident[0]] = elem
		case 2:
			inner[n.Pipe.Decl[0].Ident[0]] = nil
			inner[n.Pipe.Decl[1].Ident[0]] = elem
		}
		c.depth++
		c.list(n.List, elem, inner)
		c.depth--
		c.list(n.ElseList, dot, copyVars(vars))
	case *parse.TemplateNode:
		c.fail(n, "{{template}} is not supported")
	}
}

// rootList reports whether t is one of the top-level lists.
func (c *checker) rootList(t *Var) bool {
	for i := range c.root.Fields {
		if t == &c.root.Fields[i] {
			return true
		}
	}
	return false
}

func nameOf(v *Var) string {
	if v == nil || v.Name == "" {
		return "this value"
	}
	return "." + v.Name
}

// pipe checks p, binds its declared variables and returns its type.
func (c *checker) pipe(p *parse.PipeNode, dot *Var, vars map[string]*Var) *Var {
	t := c.pipeNoDecl(p, dot, vars)
	for _, d := range p.Decl {
		if p.IsAssign {
			if _, ok := vars[d.Ident[0]]; ok {
				vars[d.Ident[0]] = nil
				continue
			}
		}
		vars[d.Ident[0]] = t
	}
	return t
}

func (c *checker) pipeNoDecl(p *parse.PipeNode, dot *Var, vars map[string]*Var) *Var {
	if p == nil {
		return nil
	}
	var t *Var
	for i, cmd := range p.Cmds {
		t = c.command(cmd, dot, vars, i > 0)
	}
	return t
}

// command checks the arguments of one command and returns the type of its
// result: known only when it is a bare reference.
func (c *checker) command(cmd *parse.CommandNode, dot *Var, vars map[string]*Var, piped bool) *Var {
	c.printf(cmd)
	var t *Var
	for _, a := range cmd.Args {
		t = c.arg(a, dot, vars)
	}
	if len(cmd.Args) != 1 || piped {
		return nil
	}
	return t
}

func (c *checker) arg(a parse.Node, dot *Var, vars map[string]*Var) *Var {
	switch a := a.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.fields(a, dot, a.Ident)
	case *parse.VariableNode:
		v, ok := vars[a.Ident[0]]
		if !ok {
			c.fail(a, "undefined variable %s", a.Ident[0])
			return nil
		}
		return c.fields(a, v, a.Ident[1:])
	case *parse.ChainNode:
		t := c.arg(a.Node, dot, vars)
		if _, isPipe := a.Node.(*parse.PipeNode); isPipe {
			t = nil
		}
		return c.fields(a, t, a.Field)
	case *parse.PipeNode:
		return c.pipe(a, dot, copyVars(vars))
	}
	return nil
}

// printf refuses a printf whose format is not a quoted string or names a
// width or precision past MaxPrintfWidth (printf.go).
func (c *checker) printf(cmd *parse.CommandNode) {
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); !ok || id.Ident != "printf" {
		return
	}
	if len(cmd.Args) < 2 {
		c.fail(cmd, "printf: the format must be a quoted string")
		return
	}
	f, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		c.fail(cmd, "printf: the format must be a quoted string")
		return
	}
	if err := checkPrintfFormat(f.Text); err != nil {
		c.fail(cmd, "%v", err)
	}
}

// fields resolves .A.B… from t.
func (c *checker) fields(n parse.Node, t *Var, idents []string) *Var {
	for _, id := range idents {
		if t == nil {
			return nil
		}
		if t.List {
			c.fail(n, "%s is a list: range over it to use .%s", nameOf(t), id)
			return nil
		}
		var next *Var
		for i := range t.Fields {
			if t.Fields[i].Name == id {
				next = &t.Fields[i]
				break
			}
		}
		if next == nil {
			if t == c.root {
				c.fail(n, "unknown variable .%s (known: %s)", id, knownNames(t.Fields))
			} else {
				c.fail(n, "%s has no field .%s (known: %s)", nameOf(t), id, knownNames(t.Fields))
			}
			return nil
		}
		t = next
	}
	return t
}

func knownNames(vs []Var) string {
	if len(vs) == 0 {
		return "none"
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = "." + v.Name
	}
	return strings.Join(names, ", ")
}

// compile parses t's three parts for rendering.
func compile(t Template) (*texttemplate.Template, *texttemplate.Template, *htmltemplate.Template, error) {
	subj, err := texttemplate.New(PartSubject).Option("missingkey=zero").Funcs(funcs).Parse(t.Subject)
	if err != nil {
		return nil, nil, nil, asError(PartSubject, err)
	}
	text, err := texttemplate.New(PartText).Option("missingkey=zero").Funcs(funcs).Parse(t.Text)
	if err != nil {
		return nil, nil, nil, asError(PartText, err)
	}
	html, err := htmltemplate.New(PartHTML).Option("missingkey=zero").Funcs(funcs).Parse(t.HTML)
	if err != nil {
		return nil, nil, nil, asError(PartHTML, err)
	}
	return subj, text, html, nil
}
