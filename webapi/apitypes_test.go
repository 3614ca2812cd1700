package webapi_test

import (
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/srctypes"
)

// storePkg is the package whose record types must never reach the API:
// its types are the durable encoding (docs/storage.md), the API's are the
// views in webapi, so renaming a record's field cannot change the JSON a
// client reads.
const storePkg = "github.com/deskgate/deskgate/store"

// TestNoStoreTypeInAPI type-checks webapi and webhooks from source and
// walks, from every value they encode to JSON (echo's c.JSON, json.Marshal,
// a json.Encoder's Encode), every type the encoder reaches: struct fields
// (embedded ones too), pointers, slices, arrays and maps. A type declared in
// package store anywhere on that walk fails the test, as does a value whose
// type cannot be seen (an interface the walk cannot follow to its concrete
// types).
func TestNoStoreTypeInAPI(t *testing.T) {
	for _, pkg := range []string{".", "../webhooks"} {
		t.Run(filepath.Base(pkg), func(t *testing.T) {
			for _, p := range apiTypeProblems(t, pkg) {
				t.Error(p)
			}
		})
	}
}

// TestNoStoreTypeCheckSees proves the walk finds what it looks for: a
// small package that answers a store record, one that embeds one, and one
// that hides one behind an interface are all reported.
func TestNoStoreTypeCheckSees(t *testing.T) {
	dir := t.TempDir()
	src := `package probe

import (
	"encoding/json"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/labstack/echo/v4"
)

type wrapped struct {
	Rows []struct{ X *store.Customer }
}

func direct(c echo.Context) error { return c.JSON(200, store.User{}) }

func nested(c echo.Context) error { return c.JSON(200, map[string]wrapped{}) }

func viaAny() ([]byte, error) {
	var v any
	v = []store.Team{}
	return json.Marshal(v)
}

func literal(c echo.Context) error {
	return c.JSON(200, map[string]any{"x": bridge.Caller{}, "y": store.Project{}})
}

func opaque(v any) ([]byte, error) { return json.Marshal(v) }

type act struct{ Type, Conversation, Template, To string }

func convert(a store.AutomationAction) act { return act(a) }

func page[V any](c echo.Context, view func() V) error { return c.JSON(200, []V{view()}) }

func generic(c echo.Context) error {
	return page(c, func() *store.Invitation { return nil })
}
`
	if err := os.WriteFile(filepath.Join(dir, "probe.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(apiTypeProblems(t, dir), "\n")
	for _, want := range []string{"store.User", "store.Customer", "store.Team", "store.Project", "store.Invitation", "cannot see", "converts"} {
		if !strings.Contains(got, want) {
			t.Errorf("the walk missed %s; it reported:\n%s", want, got)
		}
	}
}

// apiTypeProblems type-checks the non-test files of the package in dir and
// reports each store type, or unseen interface, reachable from an encoded
// value, and each conversion between a store type and another.
func apiTypeProblems(t *testing.T, dir string) []string {
	t.Helper()
	p := srctypes.Load(t, dir)
	found, problems := p.Trace(encodedArg)
	if len(found) == 0 {
		t.Fatalf("found no JSON encoding in %s: the walk is broken", dir)
	}
	w := &typeWalk{p: p, seen: map[types.Type]bool{}, problems: problems}
	for _, f := range found {
		w.walk(f.Type, f.Pos+": "+f.Type.String())
	}
	for _, f := range p.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if msg := storeConversion(p.Info, call); msg != "" {
					w.problems = append(w.problems, p.Fset.Position(call.Pos()).String()+": "+msg)
				}
			}
			return true
		})
	}
	sort.Strings(w.problems)
	return w.problems
}

// encodedArg is the value a call encodes to JSON, or nil: the second
// argument of echo.Context's JSON, the argument of encoding/json's Marshal
// or MarshalIndent, or of a json.Encoder's Encode.
func encodedArg(fn *types.Func, call *ast.CallExpr) ast.Expr {
	if fn.Pkg() == nil {
		return nil
	}
	switch {
	case fn.Pkg().Path() == "encoding/json" && (fn.Name() == "Marshal" || fn.Name() == "MarshalIndent" || fn.Name() == "Encode"):
		return call.Args[0]
	case fn.Pkg().Path() == "github.com/labstack/echo/v4" && fn.Name() == "JSON" && len(call.Args) == 2:
		return call.Args[1]
	}
	return nil
}

// storeConversion reports a conversion between a store struct type and
// another struct type (actionJSON(storeAction)): it ties the two types'
// field names together, where a view maps fields one by one.
func storeConversion(info *types.Info, call *ast.CallExpr) string {
	if len(call.Args) != 1 || !info.Types[call.Fun].IsType() {
		return ""
	}
	to, from := info.Types[call.Fun].Type, info.Types[call.Args[0]].Type
	if from == nil || isStore(to) == isStore(from) {
		return ""
	}
	if _, ok := from.Underlying().(*types.Struct); !ok {
		return ""
	}
	return fmt.Sprintf("converts %s to %s: map the fields one by one", from, to)
}

func isStore(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == storePkg
}

type typeWalk struct {
	p        *srctypes.Package
	seen     map[types.Type]bool
	problems []string
}

// walk reports every store type reachable from t as encoding/json sees it.
func (w *typeWalk) walk(t types.Type, path string) {
	if w.seen[t] {
		return
	}
	w.seen[t] = true
	if isStore(t) {
		w.problems = append(w.problems, fmt.Sprintf("%s reaches %s", path, t))
		return
	}
	if tp, ok := t.(*types.TypeParam); ok {
		args := w.p.Instances(tp)
		if len(args) == 0 {
			w.problems = append(w.problems, fmt.Sprintf("%s: no instantiation of %s", path, tp))
		}
		for _, a := range args {
			w.walk(a.Type, path+"["+a.Type.String()+" at "+a.Pos+"]")
		}
		return
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		w.walk(u.Elem(), path)
	case *types.Slice:
		w.walk(u.Elem(), path)
	case *types.Array:
		w.walk(u.Elem(), path)
	case *types.Map:
		w.walk(u.Key(), path)
		w.walk(u.Elem(), path)
	case *types.Struct:
		for i := range u.NumFields() {
			f := u.Field(i)
			if !f.Exported() && !f.Embedded() {
				continue // encoding/json skips it
			}
			if srctypes.Opaque(f.Type()) {
				w.problems = append(w.problems, fmt.Sprintf("%s.%s: cannot see the type of an interface field (%s)", path, f.Name(), f.Type()))
				continue
			}
			w.walk(f.Type(), path+"."+f.Name())
		}
	}
}
