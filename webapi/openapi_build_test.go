package webapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

// The generator of openapi.json: the schemas come from the Go types the
// handlers answer with (openapi_schemas_test.go), the routes from a table
// (openapi_routes_test.go). `go generate ./webapi` (openapi_generate.go)
// runs TestOpenAPIJSONIsGenerated with -update to write the file; without
// -update the test fails when the committed file is not what this makes.

var updateOpenAPI = flag.Bool("update", false, "write openapi.json from the Go types and the route table")

func TestOpenAPIJSONIsGenerated(t *testing.T) {
	got, err := openapiDocumentJSON()
	if err != nil {
		t.Fatal(err)
	}
	if *updateOpenAPI {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, openapiJSON) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(openapiJSON), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		t.Fatalf("webapi/openapi.json is not what the generator makes (from line %d): run `go generate ./webapi` and commit it", line+1)
	}
}

// openapiDocumentJSON is openapi.json as the generator writes it: valid
// OpenAPI 3, keys sorted, one space of indent.
func openapiDocumentJSON() ([]byte, error) {
	doc, err := openapiDocument()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	loaded, err := openapi3.NewLoader().LoadFromData(b.Bytes())
	if err == nil {
		err = loaded.Validate(context.Background())
	}
	if err != nil {
		return nil, fmt.Errorf("the generated document is not valid OpenAPI 3: %w", err)
	}
	return b.Bytes(), nil
}

func openapiDocument() (*openapi3.T, error) {
	schemas, err := componentSchemas()
	if err != nil {
		return nil, err
	}
	paths := openapi3.NewPaths()
	for _, r := range openapiRoutes() {
		if r.err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, r.err)
		}
		item := paths.Value(r.path)
		if item == nil {
			item = &openapi3.PathItem{}
			paths.Set(r.path, item)
		}
		if item.GetOperation(r.method) != nil {
			return nil, fmt.Errorf("%s %s is in the route table twice", r.method, r.path)
		}
		item.SetOperation(r.method, r.op)
	}
	return &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "deskgate REST API", Version: "1",
			Description: "Self-hosted email gateway for a helpdesk messenger. JSON under /api/v1 with `Authorization: Bearer TOKEN`. Errors are `{\"error\":{\"code\",\"message\"}}`. Anything the caller may not see answers 404, never 403."},
		Servers:  openapi3.Servers{{URL: "/"}},
		Security: openapi3.SecurityRequirements{{"bearer": {}}},
		Paths:    paths,
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{"bearer": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer"}}},
			Schemas:         schemas,
		},
	}, nil
}

// componentSchemas generates every component of openapiComponents from its
// Go type; a nested type that is a component itself becomes a $ref.
func componentSchemas() (openapi3.Schemas, error) {
	names := map[reflect.Type]string{}
	for _, c := range openapiComponents {
		if c.value == nil {
			continue
		}
		t := reflect.TypeOf(c.value)
		if other, dup := names[t]; dup {
			return nil, fmt.Errorf("components %s and %s have the same Go type %s", other, c.name, t)
		}
		names[t] = c.name
	}
	out := openapi3.Schemas{}
	for _, c := range openapiComponents {
		if _, dup := out[c.name]; dup {
			return nil, fmt.Errorf("component %s is listed twice", c.name)
		}
		var s *openapi3.SchemaRef
		if c.value != nil {
			var err error
			if s, err = schemaOfType(c.value); err != nil {
				return nil, fmt.Errorf("component %s: %w", c.name, err)
			}
		} else {
			s = c.schema
		}
		if err := applyNotes(s, c.notes); err != nil {
			return nil, fmt.Errorf("component %s: %w", c.name, err)
		}
		out[c.name] = s
	}
	return out, nil
}

// schemaOfType is the schema of v's Go type: properties by json tag,
// required unless omitempty/omitzero, nullable for a pointer that is
// written as null, unsigned integers as int64 with their minimum.
func schemaOfType(v any) (*openapi3.SchemaRef, error) {
	components := map[reflect.Type]string{}
	for _, c := range openapiComponents {
		if c.value != nil {
			components[reflect.TypeOf(c.value)] = c.name
		}
	}
	g := openapi3gen.NewGenerator(
		openapi3gen.SchemaCustomizer(customizeSchema),
		openapi3gen.CreateTypeNameGenerator(func(t reflect.Type) string { return components[t] }),
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true}),
	)
	s, err := g.NewSchemaRefForValue(v, nil)
	if err != nil {
		return nil, err
	}
	if s.Ref != "" {
		return nil, fmt.Errorf("the root type %T came out as a reference", v)
	}
	return s, nil
}

func customizeSchema(name string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	_, opts, _ := strings.Cut(tag.Get("json"), ",")
	omitted := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
	if omitted {
		s.Nullable = false // never written as null
	}
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s.Format, s.Max = "int64", nil
		if name == "id" || strings.HasSuffix(name, "_id") {
			s.Min = ptr(1.0) // an id; a note says where 0 means none
		} else {
			s.Min = ptr(0.0)
		}
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return nil
		}
		s.Type = &openapi3.Types{"object"}
		s.Required = requiredFields(t)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// requiredFields are the JSON names of the fields encoding/json always
// writes (no omitempty or omitzero), embedded structs' included.
func requiredFields(t reflect.Type) []string {
	var req []string
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if tag == "-" || (f.Anonymous && name == "") || !f.IsExported() {
			continue
		}
		if strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		req = append(req, name)
	}
	sort.Strings(req)
	return req
}

// applyNotes applies what the types cannot say, by property path: "auth.spf",
// "attachments[].size" ([] steps into an array's items), "" for the schema
// itself. A path naming no property fails, so a renamed field does not
// silently lose its note.
func applyNotes(root *openapi3.SchemaRef, notes map[string][]tweak) error {
	for _, path := range sortedKeys(notes) {
		s := root
		if path != "" {
			for part := range strings.SplitSeq(path, ".") {
				name, items := strings.CutSuffix(part, "[]")
				if s.Ref != "" || s.Value == nil {
					return fmt.Errorf("note %q: %q is in a component reference (%s); note the component instead", path, part, s.Ref)
				}
				if s = s.Value.Properties[name]; s == nil {
					return fmt.Errorf("note %q: no property %q (renamed?)", path, name)
				}
				if items {
					if s.Value == nil || s.Value.Items == nil {
						return fmt.Errorf("note %q: %q is not an array", path, name)
					}
					s = s.Value.Items
				}
			}
		}
		if s.Ref != "" || s.Value == nil {
			return fmt.Errorf("note %q: names a component reference (%s); note the component instead", path, s.Ref)
		}
		for _, f := range notes[path] {
			f(s.Value)
		}
	}
	return nil
}
