package pgstore

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/srctypes"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/store/recordtest"
	"github.com/jackc/pgx/v5"
)

// The goldens under testdata/records pin the JSON documents pgstore keeps
// in its jsonb data columns: a fully populated sample of each record type
// must encode (mustJSON, what every INSERT and UPDATE hands PostgreSQL) to
// exactly the committed bytes, and the committed bytes must decode back to
// the sample. PostgreSQL keeps jsonb in its own normalized form, so these
// are the documents as written, the keys and values that reach the
// column. go test -run Golden -update rewrites them (docs/building.md).

func TestRecordGoldens(t *testing.T) {
	docs := storedDocs(t)
	for _, s := range recordtest.Samples() {
		if _, ok := docs[s.Type().String()]; !ok {
			continue // not a document of pgstore (TestRecordGoldensCoverEveryDocument says which are)
		}
		t.Run(s.Name(), func(t *testing.T) {
			recordtest.Populated(t, s.Value)
			path := filepath.Join("testdata", "records", s.Name()+".json")
			got, err := mustJSON(s.Value)
			if err != nil {
				t.Fatal(err)
			}
			recordtest.Golden(t, path, got)
			back := reflect.New(s.Type())
			if err := json.Unmarshal(recordtest.ReadGolden(t, path), back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Interface(), s.Value) {
				t.Errorf("%s decodes to\n%+v\nnot\n%+v", path, back.Elem().Interface(), reflect.ValueOf(s.Value).Elem().Interface())
			}
		})
	}
}

// TestRecordGoldensThroughJSONB: each golden document, stored as jsonb
// and read back in PostgreSQL's normalized form (keys reordered, escapes
// and spacing its own), still decodes to the sample: to a record that
// encodes to the golden again (an embedded raw document, an outbox
// event's data, keeps PostgreSQL's spacing until it is encoded).
func TestRecordGoldensThroughJSONB(t *testing.T) {
	base := pgtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	docs := storedDocs(t)
	for _, s := range recordtest.Samples() {
		if _, ok := docs[s.Type().String()]; !ok {
			continue
		}
		golden := recordtest.ReadGolden(t, filepath.Join("testdata", "records", s.Name()+".json"))
		var norm string
		if err := conn.QueryRow(ctx, `SELECT $1::jsonb::text`, string(golden)).Scan(&norm); err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		back := reflect.New(s.Type())
		if err := json.Unmarshal([]byte(norm), back.Interface()); err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		again, err := mustJSON(back.Interface())
		if err != nil || string(again) != string(golden) {
			t.Errorf("%s through jsonb (%s) decodes to a record that encodes to\n%s\nnot\n%s (%v)", s.Name(), norm, again, golden, err)
		}
	}
}

// storedDocs type-checks pgstore from source and traces every value it
// encodes to JSON or decodes from it (json.Marshal through mustJSON,
// putJSON, putRecord…; json.Unmarshal through get, memoGet…) to its
// concrete types. It maps each named type ("store.User") to where it is
// encoded or decoded; the unnamed ones (a query's projection of a
// document) are returned apart.
func storedDocs(t *testing.T) (named map[string]string) {
	named, _ = traceDocs(t)
	return named
}

func traceDocs(t *testing.T) (named map[string]string, projections []*types.Struct) {
	t.Helper()
	p := srctypes.Load(t, ".")
	found, problems := p.Trace(func(fn *types.Func, call *ast.CallExpr) ast.Expr {
		if fn.Pkg() == nil || fn.Pkg().Path() != "encoding/json" {
			return nil
		}
		switch fn.Name() {
		case "Marshal":
			return call.Args[0]
		case "Unmarshal":
			return call.Args[1]
		}
		return nil
	})
	for _, pr := range problems {
		t.Error(pr)
	}
	named = map[string]string{}
	for _, f := range found {
		typ := f.Type
		if ptr, ok := typ.(*types.Pointer); ok {
			typ = ptr.Elem()
		}
		switch typ := typ.(type) {
		case *types.Named:
			named[typ.Obj().Pkg().Name()+"."+typ.Obj().Name()] = f.Pos
		case *types.Struct:
			projections = append(projections, typ)
		}
	}
	if len(named) < 10 {
		t.Fatalf("traced only %v: the trace is broken", named)
	}
	return named, projections
}

// TestRecordGoldensCoverEveryDocument: every type pgstore keeps as a
// document has a golden sample, so a new record type cannot be forgotten.
func TestRecordGoldensCoverEveryDocument(t *testing.T) {
	samples := map[string]bool{}
	for _, s := range recordtest.Samples() {
		samples[s.Type().String()] = true
	}
	for typ, where := range storedDocs(t) {
		if !samples[typ] {
			t.Errorf("%s is a document (%s) but has no golden: add a full sample to recordtest.Samples and run -update", typ, where)
		}
	}
}

// TestRecordGoldensKeysQueriesRead: the document keys pgstore reads
// without decoding the whole record (SQL's data->>'body' and
// jsonb_set(…, '{id}', …), and the structs that decode one field of a
// document) are keys of the goldens, so renaming a record's json tag
// cannot silently empty a search or a query.
func TestRecordGoldensKeysQueriesRead(t *testing.T) {
	keys := map[string]bool{}
	goldens, err := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, g := range goldens {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(recordtest.ReadGolden(t, g), &doc); err != nil {
			t.Fatal(err)
		}
		for k := range doc {
			keys[k] = true
		}
	}
	sources, _ := filepath.Glob("*.go")
	sqls, _ := filepath.Glob(filepath.Join("migrations", "*.sql"))
	read := regexp.MustCompile(`->>?\s*'([a-z_]+)'|jsonb_set\([^,]+,\s*'\{([a-z_]+)\}'`)
	n := 0
	for _, f := range append(sources, sqls...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			n++
			if k := m[1] + m[2]; !keys[k] {
				t.Errorf("%s reads the document key %q, which no record has", f, k)
			}
		}
	}
	if n < 3 {
		t.Fatalf("found %d document keys read by queries: the pattern is broken", n)
	}
	_, projections := traceDocs(t)
	for _, st := range projections {
		for i := range st.NumFields() {
			name, _, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("json"), ",")
			if name != "" && !keys[name] {
				t.Errorf("%s decodes the document key %q, which no record has", st, name)
			}
		}
	}
}
