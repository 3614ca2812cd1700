package boltstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// The group committer's "did this function write?" comes from the bucket
// wrapper (bucket.go) alone. This fails when a file reaches a raw bbolt
// bucket some other way (tx.Bucket, CreateBucket...), whose writes the
// wrapper would not see; the store's own bucket setup (Store.init) is the
// one exception, it runs before any group.
func TestBucketsOnlyThroughTheCountingWrapper(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	raw := map[string]bool{"Bucket": true, "CreateBucket": true, "CreateBucketIfNotExists": true, "DeleteBucket": true}
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "bucket.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Recv != nil && fd.Name.Name == "init" && name == "store.go" {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && raw[sel.Sel.Name] {
					t.Errorf("%s: raw bbolt bucket access .%s outside bucket.go: its writes escape the group committer's count", fset.Position(sel.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files, expected the package's sources", checked)
	}
}
