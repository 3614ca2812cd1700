package templates

import "text/template/parse"

// reads is what a template may read of its data, found from its parse
// trees (conservatively: when in doubt, it reads everything).
type reads struct {
	all   bool            // dot or $ used whole, a sub-template called
	names map[string]bool // field and key names it names anywhere
}

// readsOf walks the parse trees of a template's parts (before any is
// executed: html/template rewrites its tree on first use).
func readsOf(trees ...*parse.Tree) reads {
	r := reads{names: map[string]bool{}}
	for _, t := range trees {
		if t != nil && t.Root != nil {
			r.node(t.Root)
		}
	}
	return r
}

func (r *reads) node(n parse.Node) {
	switch n := n.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			r.node(c)
		}
	case *parse.ActionNode:
		r.pipe(n.Pipe)
	case *parse.IfNode:
		r.branch(&n.BranchNode)
	case *parse.RangeNode:
		r.branch(&n.BranchNode)
	case *parse.WithNode:
		r.branch(&n.BranchNode)
	case *parse.PipeNode:
		r.pipe(n)
	case *parse.CommandNode:
		for _, a := range n.Args {
			r.node(a)
		}
	case *parse.ChainNode:
		r.node(n.Node)
		r.idents(n.Field)
	case *parse.FieldNode:
		r.idents(n.Ident)
	case *parse.VariableNode:
		if len(n.Ident) == 1 && n.Ident[0] == "$" {
			r.all = true // $ whole: every variable
		}
		r.idents(n.Ident[1:])
	case *parse.StringNode:
		r.names[n.Text] = true // index . "Name"
	case *parse.DotNode:
		r.all = true // may be the data whole
	case *parse.TemplateNode:
		r.all = true // a sub-template gets what it is passed
	case *parse.TextNode, *parse.CommentNode, *parse.IdentifierNode, *parse.NumberNode,
		*parse.BoolNode, *parse.NilNode, *parse.BreakNode, *parse.ContinueNode:
	default:
		r.all = true // a node this walk does not know
	}
}

func (r *reads) branch(b *parse.BranchNode) {
	r.pipe(b.Pipe)
	r.node(b.List)
	if b.ElseList != nil {
		r.node(b.ElseList)
	}
}

func (r *reads) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for _, v := range p.Decl {
		r.node(v)
	}
	for _, c := range p.Cmds {
		r.node(c)
	}
}

func (r *reads) idents(ids []string) {
	for _, id := range ids {
		r.names[id] = true
	}
}

// MayRead reports whether rendering c may depend on the data's variable
// name (a field or key of the data, or of anything in it): false only
// when no part names it, nor uses the data whole ({{.}} or {{$}} or a
// sub-template). A notification template that never names the
// recipient renders the same for every recipient of the same messages.
func (c *Compiled) MayRead(name string) bool {
	return c.reads.all || c.reads.names[name]
}
