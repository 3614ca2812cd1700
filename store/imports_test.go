package store

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// backendPkgs are the backend packages: only store/ itself may import
// them, and, to register them with Open, the main packages listed in
// registrars, by a blank import.
var backendPkgs = []string{
	"github.com/deskgate/deskgate/store/boltstore",
	"github.com/deskgate/deskgate/store/pgstore",
}

var registrars = map[string]bool{"cmd/deskgate": true, "bench/outboundbench": true}

// No package above store knows a backend (issue 21): none imports
// boltstore or pgstore (or their subpackages) but by the blank
// registration of a listed main package, and none names a backend to
// compare Backend() with. Test files may open backends directly.
func TestNoBackendAboveStore(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above store/: %v", err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel == "store" || name == "testdata" || name == "node_modules" || (strings.HasPrefix(name, ".") && rel != ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		checked++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !isBackend(p) {
				continue
			}
			blank := imp.Name != nil && imp.Name.Name == "_"
			if !blank || f.Name.Name != "main" || !registrars[filepath.ToSlash(filepath.Dir(rel))] {
				t.Errorf("%s imports %s: above store, only a blank import in %v registers a backend; use store.Open and the store's capability interfaces", rel, p, keys(registrars))
			}
		}
		for _, name := range []string{"store.BackendBolt", "store.BackendPostgres"} {
			if strings.Contains(string(src), name) {
				t.Errorf("%s names %s: above store nothing chooses by backend; assert a capability interface instead", rel, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files under %s: the walk missed the module", checked, root)
	}
}

func isBackend(p string) bool {
	for _, b := range backendPkgs {
		if p == b || strings.HasPrefix(p, b+"/") {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
