package bridge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wholeTxAllowed are the functions of package bridge (not its tests) that
// may still take the whole store.Tx, in a parameter or in a callback's
// parameter, each with the reason. Every other function names the store
// interfaces it uses (txneeds.go). A function leaving this list is
// progress: remove it here too (the test fails on a stale entry).
var wholeTxAllowed = map[string]string{
	// A wrapper of Store.Update: it runs fn inside the transaction it
	// opens, which Store.Update hands over as store.Tx, and its callers'
	// closures (joining a project, invitations, assignments and their
	// events) each use a different part of it, together most of Tx.
	"Directory.updateAndKick": "runs fn inside its own Store.Update",
}

// storePath is the import path of package store.
const storePath = "github.com/deskgate/deskgate/store"

// wholeTxFuncs lists the functions (Recv.Name or Name) declared in the
// parsed files that take store.Tx in a parameter, also inside a func-typed
// parameter, and how many functions take a transaction of any store type
// (store.XxxTx or a local set from txneeds.go ending in Tx).
func wholeTxFuncs(files []*ast.File) (whole []string, anyTx int) {
	for _, f := range files {
		storeName := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == storePath {
				storeName = "store"
				if imp.Name != nil {
					storeName = imp.Name.Name
				}
			}
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			takesWhole, takesTx := false, false
			for _, p := range fd.Type.Params.List {
				ast.Inspect(p.Type, func(n ast.Node) bool {
					switch x := n.(type) {
					case *ast.SelectorExpr:
						if id, ok := x.X.(*ast.Ident); ok && storeName != "" && id.Name == storeName {
							takesWhole = takesWhole || x.Sel.Name == "Tx"
							takesTx = takesTx || strings.HasSuffix(x.Sel.Name, "Tx")
						}
						return false
					case *ast.Ident:
						takesTx = takesTx || (strings.HasSuffix(x.Name, "Tx") && x.Name != "Tx")
					}
					return true
				})
			}
			if takesTx {
				anyTx++
			}
			if takesWhole {
				whole = append(whole, funcName(fd))
			}
		}
	}
	slices.Sort(whole)
	return whole, anyTx
}

// funcName is Type.Method for a method, else the function's name.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	if st, ok := typ.(*ast.StarExpr); ok {
		typ = st.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	return typ.(*ast.Ident).Name + "." + fd.Name.Name
}

// packageFiles parses the package's non-test files.
func packageFiles(t *testing.T) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// Issue 21: a domain function names the store interfaces it uses, so what
// it may touch is in its signature; only the allow-listed ones take the
// whole store.Tx.
func TestFunctionsNameTheirTxNeeds(t *testing.T) {
	whole, anyTx := wholeTxFuncs(packageFiles(t))
	// The parse found the package's transaction functions at all (a
	// broken walk would find no store.Tx either).
	if anyTx < 50 {
		t.Fatalf("found %d functions taking a transaction; expected the package's many (is the walk broken?)", anyTx)
	}
	t.Logf("%d functions take a transaction; %d the whole store.Tx: %v", anyTx, len(whole), whole)
	for _, fn := range whole {
		if _, ok := wholeTxAllowed[fn]; !ok {
			t.Errorf("%s takes the whole store.Tx: name the store interfaces it uses instead (store.PeopleTx, a set in txneeds.go), or, if it truly needs most of Tx, add it to wholeTxAllowed with the reason", fn)
		}
	}
	for fn := range wholeTxAllowed {
		if !slices.Contains(whole, fn) {
			t.Errorf("%s is allowed the whole store.Tx but no longer takes it (or was renamed): remove it from wholeTxAllowed", fn)
		}
	}
}

// The detector itself: it finds store.Tx in a plain parameter, in a
// callback's parameter and under an import alias, and not in a narrow one.
func TestWholeTxFuncsDetects(t *testing.T) {
	const src = `package p
import st "github.com/deskgate/deskgate/store"
type T struct{}
func plain(tx st.Tx) {}
func (T) callback(fn func(st.Tx) error) {}
func (*T) narrow(tx st.PeopleTx) {}
func local(tx someSetTx) {}
func none(n int) {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	whole, anyTx := wholeTxFuncs([]*ast.File{f})
	if want := []string{"T.callback", "plain"}; !slices.Equal(whole, want) {
		t.Errorf("whole store.Tx in %v, want %v", whole, want)
	}
	if anyTx != 4 {
		t.Errorf("%d functions take a transaction, want 4", anyTx)
	}
}
