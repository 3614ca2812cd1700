package boltstore

import (
	"encoding/hex"
	"go/ast"
	"go/types"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/srctypes"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/recordtest"
	bolt "go.etcd.io/bbolt"
)

// The goldens under testdata/records pin what bbolt holds on disk: a
// record's JSON (putJSON) or compact binary encoding (compact.go). A
// renamed json tag, or a renamed Go field without one, changes the bytes
// and fails TestRecordGoldens; a renamed Go field fails to compile in
// recordtest.Samples; a new field is refused by recordtest.Populated until
// the sample sets it. go test -run Golden -update rewrites the files
// (docs/building.md).

// localSamples are the records of types boltstore declares itself.
func localSamples() []recordtest.Sample {
	return []recordtest.Sample{{Value: &rateWindow{End: time.Date(2026, 12, 7, 9, 31, 0, 5, time.UTC), Count: 7}}}
}

// binaryRecords are the types kept in the compact encoding, with their codecs.
var binaryRecords = map[string]struct {
	encode func(v any) []byte
	decode func(data []byte) (any, error)
}{
	"Delivery": {
		encode: func(v any) []byte { return encodeDelivery(v.(*store.Delivery)) },
		decode: func(data []byte) (any, error) { var d store.Delivery; err := decodeDelivery(data, &d); return &d, err },
	},
	"Settings": {
		encode: func(v any) []byte { return encodeSettings(*v.(*store.Settings)) },
		decode: func(data []byte) (any, error) { s, err := decodeSettings(data); return &s, err },
	},
}

func goldenSamples() []recordtest.Sample { return append(recordtest.Samples(), localSamples()...) }

func TestRecordGoldens(t *testing.T) {
	jsonTypes, binTypes := storedTypes(t)
	db, err := bolt.Open(filepath.Join(t.TempDir(), "golden.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range goldenSamples() {
		t.Run(s.Name(), func(t *testing.T) {
			recordtest.Populated(t, s.Value)
			_, isJSON := jsonTypes[s.Type().String()]
			_, isBin := binTypes[s.Type().String()]
			if !isJSON && !isBin {
				t.Fatalf("the sample of %s is not a type boltstore stores", s.Type())
			}
			if isJSON {
				jsonGolden(t, db, s)
			}
			if isBin {
				binaryGolden(t, s)
			}
		})
	}
}

// jsonGolden checks the JSON record putJSON writes for s, and that the
// golden decodes back to s.
func jsonGolden(t *testing.T, db *bolt.DB, s recordtest.Sample) {
	t.Helper()
	path := filepath.Join("testdata", "records", s.Name()+".json")
	var got []byte
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("golden"))
		if err != nil {
			return err
		}
		if err := putJSON(bucket{bb: b, t: &Tx{}}, []byte(s.Name()), s.Value); err != nil {
			return err
		}
		got = slices.Clone(b.Get([]byte(s.Name())))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recordtest.Golden(t, path, got)
	back := reflect.New(s.Type())
	if err := jsonUnmarshal(recordtest.ReadGolden(t, path), back.Interface()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Interface(), s.Value) {
		t.Errorf("%s decodes to\n%+v\nnot\n%+v", path, back.Elem().Interface(), reflect.ValueOf(s.Value).Elem().Interface())
	}
}

// binaryGolden checks the compact record of s (kept as hex), and that the
// golden decodes back to s.
func binaryGolden(t *testing.T, s recordtest.Sample) {
	t.Helper()
	codec, ok := binaryRecords[s.Name()]
	if !ok {
		t.Fatalf("%s is stored in the compact encoding but binaryRecords has no codec for it", s.Type())
	}
	path := filepath.Join("testdata", "records", s.Name()+".hex")
	recordtest.Golden(t, path, []byte(hex.EncodeToString(codec.encode(s.Value))+"\n"))
	data, err := hex.DecodeString(strings.TrimSpace(string(recordtest.ReadGolden(t, path))))
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, s.Value) {
		t.Errorf("%s decodes to\n%+v\nnot\n%+v", path, reflect.ValueOf(v).Elem().Interface(), reflect.ValueOf(s.Value).Elem().Interface())
	}
}

// TestRecordGoldensDecodeOldShapes: what reads only part of a stored
// record reads it from the golden too (search reads a message's
// conversation and body without decoding the rest; settings written as
// JSON before the compact encoding still decode).
func TestRecordGoldensDecodeOldShapes(t *testing.T) {
	var m *store.Message
	var st *store.Settings
	for _, s := range recordtest.Samples() {
		switch v := s.Value.(type) {
		case *store.Message:
			m = v
		case *store.Settings:
			st = v
		}
	}
	conv, body, err := convAndBody(recordtest.ReadGolden(t, filepath.Join("testdata", "records", "Message.json")))
	if err != nil || conv != m.ConversationID || body != m.Body {
		t.Errorf("convAndBody of the golden message = %d %q %v, want %d %q", conv, body, err, m.ConversationID, m.Body)
	}
	got, err := decodeSettings(recordtest.ReadGolden(t, filepath.Join("testdata", "records", "Settings.json")))
	if err != nil || got != *st {
		t.Errorf("decodeSettings of the golden JSON settings = %+v %v, want %+v", got, err, *st)
	}
}

// storedTypes type-checks boltstore from source and traces every value
// it encodes or decodes to its concrete types: as JSON (json.Marshal and
// json.Unmarshal, through putJSON, getJSON, get, all…) and in the compact
// encoding (encodeDelivery, decodeDelivery, encodeSettings). It maps each
// named type ("store.User") to where it is stored.
func storedTypes(t *testing.T) (jsonTypes, binTypes map[string]string) {
	t.Helper()
	p := srctypes.Load(t, ".")
	trace := func(sinks map[string]int) map[string]string {
		found, problems := p.Trace(func(fn *types.Func, call *ast.CallExpr) ast.Expr {
			if fn.Pkg() == nil {
				return nil
			}
			if i, ok := sinks[fn.Pkg().Path()+"."+fn.Name()]; ok && i < len(call.Args) {
				return call.Args[i]
			}
			return nil
		})
		for _, pr := range problems {
			t.Error(pr)
		}
		out := map[string]string{}
		for _, f := range found {
			typ := f.Type
			if ptr, ok := typ.(*types.Pointer); ok {
				typ = ptr.Elem()
			}
			if n, ok := typ.(*types.Named); ok {
				out[n.Obj().Pkg().Name()+"."+n.Obj().Name()] = f.Pos
			} // else a string, or search's projection of a message (TestRecordGoldensDecodeOldShapes)
		}
		return out
	}
	jsonTypes = trace(map[string]int{"encoding/json.Marshal": 0, "encoding/json.Unmarshal": 1})
	binTypes = trace(map[string]int{"boltstore.encodeDelivery": 0, "boltstore.decodeDelivery": 1, "boltstore.encodeSettings": 0})
	if len(jsonTypes) < 10 || len(binTypes) < 2 {
		t.Fatalf("traced only %v and %v: the trace is broken", jsonTypes, binTypes)
	}
	return jsonTypes, binTypes
}

// TestRecordGoldensCoverEveryRecord: every type boltstore stores has a
// golden sample (and the compact ones a codec in binaryRecords), so a new
// record type cannot be forgotten.
func TestRecordGoldensCoverEveryRecord(t *testing.T) {
	jsonTypes, binTypes := storedTypes(t)
	samples := map[string]bool{}
	for _, s := range goldenSamples() {
		samples[s.Type().String()] = true
	}
	for _, m := range []map[string]string{jsonTypes, binTypes} {
		for typ, where := range m {
			if !samples[typ] {
				t.Errorf("%s is stored (%s) but has no golden: add a full sample to recordtest.Samples (or localSamples) and run -update", typ, where)
			}
		}
	}
	for typ := range binTypes {
		if _, ok := binaryRecords[strings.TrimPrefix(typ, "store.")]; !ok {
			t.Errorf("%s is stored in the compact encoding but binaryRecords has no codec for it", typ)
		}
	}
}
