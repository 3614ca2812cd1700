// Package srctypes type-checks one of deskgate's packages from source, for
// tests that check what the code does with types rather than what one run
// of it did: which types reach the API's JSON (webapi), which record types
// a store writes to disk (store/boltstore, store/pgstore). It follows a
// value handed to an encoder back through interface-typed variables,
// parameters and generic type parameters to the concrete types the
// package can put there.
package srctypes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Package is a type-checked package (its non-test files).
type Package struct {
	Fset  *token.FileSet
	Files []*ast.File
	Info  *types.Info
	Types *types.Package

	assigns map[types.Object][]assigned
	params  map[*types.Var]param // a function parameter: its function and index
	callers map[*types.Func][]*ast.CallExpr
}

var (
	mu     sync.Mutex
	loaded = map[string]*Package{}
)

// Load type-checks the non-test Go files in dir against the compiled
// export data of their imports, which it asks the go command for (the
// build cache usually has it). A test binary loads each dir once.
func Load(t testing.TB, dir string) *Package {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if p := loaded[abs]; p != nil {
		return p
	}
	p := load(t, abs)
	loaded[abs] = p
	return p
}

func load(t testing.TB, dir string) *Package {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	imports := map[string]bool{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		for _, im := range f.Imports {
			imports[strings.Trim(im.Path.Value, `"`)] = true
		}
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	exports := exportData(t, imports)
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{},
		Defs: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{},
		Instances: map[*ast.Ident]types.Instance{}}
	conf := types.Config{Importer: imp}
	tp, err := conf.Check(files[0].Name.Name, fset, files, info)
	if err != nil {
		t.Fatalf("type-check %s: %v", dir, err)
	}
	p := &Package{Fset: fset, Files: files, Info: info, Types: tp, assigns: map[types.Object][]assigned{},
		params: map[*types.Var]param{}, callers: map[*types.Func][]*ast.CallExpr{}}
	p.index()
	return p
}

func exportData(t testing.TB, imports map[string]bool) map[string]string {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-json=ImportPath,Export"}
	for p := range imports {
		args = append(args, p)
	}
	sort.Strings(args[4:])
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
	}
	return exports
}

type assigned struct {
	expr  ast.Expr
	index int // the result of a multi-value call, or -1
}

type param struct {
	fn    *types.Func
	index int
}

// index records assignments, parameters and the calls of each function.
func (p *Package) index() {
	add := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, l := range lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			obj := p.Info.Defs[id]
			if obj == nil {
				obj = p.Info.Uses[id]
			}
			if obj == nil {
				continue
			}
			if len(rhs) == len(lhs) {
				p.assigns[obj] = append(p.assigns[obj], assigned{expr: rhs[i], index: -1})
			} else if len(rhs) == 1 {
				p.assigns[obj] = append(p.assigns[obj], assigned{expr: rhs[0], index: i})
			}
		}
	}
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				add(n.Lhs, n.Rhs)
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				add(lhs, n.Values)
			case *ast.FuncDecl:
				fn, _ := p.Info.Defs[n.Name].(*types.Func)
				if fn == nil {
					break
				}
				sig := fn.Type().(*types.Signature)
				for i := range sig.Params().Len() {
					p.params[sig.Params().At(i)] = param{fn: fn, index: i}
				}
			case *ast.CallExpr:
				if fn := p.Callee(n); fn != nil {
					p.callers[fn.Origin()] = append(p.callers[fn.Origin()], n)
				}
			}
			return true
		})
	}
}

// Callee is the function or method a call calls, or nil (a conversion,
// a builtin, a function value).
func (p *Package) Callee(call *ast.CallExpr) *types.Func {
	var obj types.Object
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		obj = p.Info.Uses[f]
	case *ast.SelectorExpr:
		if s, ok := p.Info.Selections[f]; ok {
			obj = s.Obj()
		} else {
			obj = p.Info.Uses[f.Sel]
		}
	case *ast.IndexExpr: // an explicit instantiation f[T]
		if id, ok := f.X.(*ast.Ident); ok {
			obj = p.Info.Uses[id]
		}
	}
	fn, _ := obj.(*types.Func)
	return fn
}

// Sink picks, from a call, the argument an encoder receives, or nil.
type Sink func(fn *types.Func, call *ast.CallExpr) ast.Expr

// Found is a concrete type handed to a sink, and where.
type Found struct {
	Type types.Type
	Pos  string // the call that hands it, and how it was traced
}

// Trace finds every call sink picks an argument of and returns the
// concrete types that argument can have: where the argument's type is an
// interface, the types of what was assigned to it, of a composite
// literal's elements, or of the arguments its function's callers pass for
// it; a type parameter becomes each type the package instantiates it with.
// Problems are arguments whose types cannot be traced that way.
func (p *Package) Trace(sink Sink) (found []Found, problems []string) {
	t := &tracer{p: p}
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := p.Callee(call)
			if fn == nil {
				return true
			}
			if arg := sink(fn, call); arg != nil {
				t.expr(arg, p.Fset.Position(arg.Pos()).String(), 0)
			}
			return true
		})
	}
	return t.found, t.problems
}

type tracer struct {
	p        *Package
	found    []Found
	problems []string
}

// Opaque reports an interface type (a type parameter is not one: it is
// traced to its instantiations).
func Opaque(t types.Type) bool {
	_, param := t.(*types.TypeParam)
	return types.IsInterface(t) && !param
}

// hasOpaqueElem reports a map or slice of interfaces (map[string]any),
// whose elements only the expression shows.
func hasOpaqueElem(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Map:
		return Opaque(u.Elem())
	case *types.Slice:
		return Opaque(u.Elem())
	}
	return false
}

func (t *tracer) expr(e ast.Expr, where string, depth int) {
	e = ast.Unparen(e)
	tv := t.p.Info.Types[e]
	if tv.Type == nil {
		t.problems = append(t.problems, fmt.Sprintf("%s: no type for %s", where, types.ExprString(e)))
		return
	}
	if !Opaque(tv.Type) && !hasOpaqueElem(tv.Type) {
		t.concrete(tv.Type, where)
		return
	}
	if depth < 8 {
		switch e := e.(type) {
		case *ast.CompositeLit:
			for _, el := range e.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					el = kv.Value
				}
				t.expr(el, where, depth+1)
			}
			return
		case *ast.UnaryExpr:
			if e.Op == token.AND {
				t.expr(e.X, where, depth+1)
				return
			}
		case *ast.Ident:
			obj := t.p.Info.Uses[e]
			if v, ok := obj.(*types.Var); ok {
				if pr, ok := t.p.params[v]; ok && len(t.p.callers[pr.fn]) > 0 {
					for _, call := range t.p.callers[pr.fn] {
						if pr.index < len(call.Args) {
							t.expr(call.Args[pr.index], t.p.Fset.Position(call.Pos()).String()+" → "+where, depth+1)
						}
					}
					return
				}
			}
			if as := t.p.assigns[obj]; obj != nil && len(as) > 0 {
				for _, a := range as {
					if a.index < 0 {
						t.expr(a.expr, where, depth+1)
						continue
					}
					if tup, ok := t.p.Info.Types[a.expr].Type.(*types.Tuple); ok && a.index < tup.Len() {
						t.concrete(tup.At(a.index).Type(), where)
					}
				}
				return
			}
		}
	}
	t.problems = append(t.problems, fmt.Sprintf("%s: cannot see the type of %s (%s)", where, types.ExprString(e), tv.Type))
}

// concrete records typ, or each instantiation of a type parameter (or
// pointer to one).
func (t *tracer) concrete(typ types.Type, where string) {
	ptr := false
	if pt, ok := typ.(*types.Pointer); ok {
		if _, ok := pt.Elem().(*types.TypeParam); ok {
			ptr, typ = true, pt.Elem()
		}
	}
	tp, ok := typ.(*types.TypeParam)
	if !ok {
		t.found = append(t.found, Found{Type: typ, Pos: where})
		return
	}
	args := t.p.Instances(tp)
	if len(args) == 0 {
		t.problems = append(t.problems, fmt.Sprintf("%s: no instantiation of %s", where, tp))
	}
	for _, a := range args {
		if ptr {
			a.Type = types.NewPointer(a.Type)
		}
		t.concrete(a.Type, a.Pos+" → "+where)
	}
}

// Instances returns each type argument the package instantiates the
// generic function's type parameter tp with, and where.
func (p *Package) Instances(tp *types.TypeParam) []Found {
	var out []Found
	for id, inst := range p.Info.Instances {
		fn, ok := p.Info.Uses[id].(*types.Func)
		if !ok {
			continue
		}
		sig, ok := fn.Origin().Type().(*types.Signature)
		if !ok || sig.TypeParams() == nil {
			continue
		}
		if i := tp.Index(); i < sig.TypeParams().Len() && sig.TypeParams().At(i) == tp && i < inst.TypeArgs.Len() {
			out = append(out, Found{Type: inst.TypeArgs.At(i), Pos: p.Fset.Position(id.Pos()).String()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pos < out[j].Pos })
	return out
}
