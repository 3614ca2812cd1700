package webapi

import (
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// The pieces the route table and the notes are written with: schemas built
// by hand (request bodies, parameters) and tweaks adding what a Go type
// cannot say.

type tweak func(*openapi3.Schema)

func desc(d string) tweak { return func(s *openapi3.Schema) { s.Description = d } }

func enum(values ...string) tweak {
	return func(s *openapi3.Schema) {
		s.Enum = nil
		for _, v := range values {
			s.Enum = append(s.Enum, v)
		}
	}
}

func dflt(v any) tweak             { return func(s *openapi3.Schema) { s.Default = v } }
func format(f string) tweak        { return func(s *openapi3.Schema) { s.Format = f } }
func pattern(p string) tweak       { return func(s *openapi3.Schema) { s.Pattern = p } }
func minimum(v float64) tweak      { return func(s *openapi3.Schema) { s.Min = &v } }
func maximum(v float64) tweak      { return func(s *openapi3.Schema) { s.Max = &v } }
func minLen(n uint64) tweak        { return func(s *openapi3.Schema) { s.MinLength = n } }
func maxLen(n uint64) tweak        { return func(s *openapi3.Schema) { s.MaxLength = &n } }
func maxItems(n uint64) tweak      { return func(s *openapi3.Schema) { s.MaxItems = &n } }
func writeOnly(s *openapi3.Schema) { s.WriteOnly = true }

// notRequired drops names from the required properties: a component that
// is also a request body's part, where they may be left out.
func notRequired(names ...string) tweak {
	return func(s *openapi3.Schema) {
		s.Required = slices.DeleteFunc(s.Required, func(n string) bool { return slices.Contains(names, n) })
	}
}

// noMinimum drops the minimum an unsigned field gets: where 0 means none.
func noMinimum(s *openapi3.Schema) { s.Min = nil }

// dateTime marks a string field holding an RFC 3339 time.
func dateTime(s *openapi3.Schema) { s.Format = "date-time" }

func typed(typ string, tw []tweak) *openapi3.SchemaRef {
	s := &openapi3.Schema{Type: &openapi3.Types{typ}}
	for _, f := range tw {
		f(s)
	}
	return &openapi3.SchemaRef{Value: s}
}

func str(tw ...tweak) *openapi3.SchemaRef     { return typed("string", tw) }
func integer(tw ...tweak) *openapi3.SchemaRef { return typed("integer", tw) }
func boolean(tw ...tweak) *openapi3.SchemaRef { return typed("boolean", tw) }

// anID is an id in a request: a positive int64.
func anID(tw ...tweak) *openapi3.SchemaRef {
	return typed("integer", append([]tweak{format("int64"), minimum(1)}, tw...))
}

// idList is a list of ids.
func idList(tw ...tweak) *openapi3.SchemaRef {
	return array(integer(format("int64")), tw...)
}

func array(items *openapi3.SchemaRef, tw ...tweak) *openapi3.SchemaRef {
	s := typed("array", tw)
	s.Value.Items = items
	return s
}

type props map[string]*openapi3.SchemaRef

// object is an object of these properties, the required ones named.
func object(required []string, p props, tw ...tweak) *openapi3.SchemaRef {
	s := typed("object", tw)
	s.Value.Properties = openapi3.Schemas(p)
	if len(required) > 0 {
		s.Value.Required = required
	}
	return s
}

// allOptional is s with no property required: a body of fields to change.
func allOptional(s *openapi3.SchemaRef) *openapi3.SchemaRef {
	s.Value.Required = nil
	return s
}

// withProp is p and one more property.
func withProp(p props, name string, s *openapi3.SchemaRef) props {
	out := props{name: s}
	for k, v := range p {
		out[k] = v
	}
	return out
}

func ref(component string) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Ref: "#/components/schemas/" + component}
}

// --- operations ---

// route is one operation of the document: a row of openapiRoutes.
type route struct {
	method, path string
	op           *openapi3.Operation
	err          error
}

type opt func(*route)

// op is a route: its method, OpenAPI path, tag and summary, then what it
// answers and takes. Unless public, it needs a bearer token and can answer
// the usual errors (400, 401, 403, 404, 413, 422, 503) besides.
func op(method, path, tag, summary string, opts ...opt) route {
	r := route{method: method, path: path, op: &openapi3.Operation{Summary: summary, Tags: []string{tag}, Responses: openapi3.NewResponses()}}
	r.op.Responses.Delete("default")
	for _, o := range opts {
		o(&r)
	}
	if r.op.Security == nil {
		for code, d := range usualErrors {
			if r.op.Responses.Value(strconv.Itoa(code)) == nil {
				fails(code, d)(&r)
			}
		}
	}
	return r
}

var usualErrors = map[int]string{
	http.StatusBadRequest: "Malformed JSON.", http.StatusUnauthorized: "Missing or unknown token.",
	http.StatusForbidden: "Authenticated but not allowed.", http.StatusNotFound: "Unknown, or not visible to the caller.",
	http.StatusRequestEntityTooLarge: "Body too large.", http.StatusUnprocessableEntity: "A field is missing or invalid.",
	http.StatusServiceUnavailable: "Storage unavailable; retry.",
}

func response(code int, resp *openapi3.Response) opt {
	return func(r *route) { r.op.Responses.Set(strconv.Itoa(code), &openapi3.ResponseRef{Value: resp}) }
}

// ok answers code with a JSON body of schema (none when schema is nil).
func ok(code int, description string, schema *openapi3.SchemaRef) opt {
	resp := &openapi3.Response{Description: &description}
	if schema != nil {
		resp.Content = openapi3.NewContentWithJSONSchemaRef(schema)
	}
	return response(code, resp)
}

// status answers code with no body.
func status(code int, description string) opt { return ok(code, description, nil) }

// serves answers 200 with a body of this media type.
func serves(mediaType, description string, schema *openapi3.SchemaRef) opt {
	return response(http.StatusOK, &openapi3.Response{Description: &description,
		Content: openapi3.Content{mediaType: &openapi3.MediaType{Schema: schema}}})
}

// fails answers code with the error body.
func fails(code int, description string) opt { return ok(code, description, ref("Error")) }

// tooMany is 429 with Retry-After.
func tooMany(r *route) {
	d := "Too many attempts; wait Retry-After seconds."
	response(http.StatusTooManyRequests, &openapi3.Response{Description: &d,
		Headers: openapi3.Headers{"Retry-After": {Value: &openapi3.Header{Parameter: openapi3.Parameter{Schema: integer()}}}},
		Content: openapi3.NewContentWithJSONSchemaRef(ref("Error"))})(r)
}

// public needs no token and answers only what the route lists.
func public(r *route) { r.op.Security = &openapi3.SecurityRequirements{} }

func body(schema *openapi3.SchemaRef) opt {
	return func(r *route) {
		r.op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true, Content: openapi3.NewContentWithJSONSchemaRef(schema)}}
	}
}

func optionalBody(schema *openapi3.SchemaRef) opt {
	return func(r *route) {
		r.op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Content: openapi3.NewContentWithJSONSchemaRef(schema)}}
	}
}

func about(description string) opt { return func(r *route) { r.op.Description = description } }

func param(p *openapi3.Parameter) opt {
	return func(r *route) { r.op.Parameters = append(r.op.Parameters, &openapi3.ParameterRef{Value: p}) }
}

// pathID is a numeric path parameter ("id" unless named).
func pathID(name, description string) opt {
	return param(&openapi3.Parameter{Name: name, In: "path", Required: true, Schema: anID(), Description: description})
}

var byID = pathID("id", "Numeric id.")

func pathString(name, description string) opt {
	return param(&openapi3.Parameter{Name: name, In: "path", Required: true, Schema: str(), Description: description})
}

func query(name string, schema *openapi3.SchemaRef, description string) opt {
	return param(&openapi3.Parameter{Name: name, In: "query", Schema: schema, Description: description})
}

// paged: limit and cursor, and a Link header to the next page (SPEC §14).
func paged(r *route) {
	query("limit", integer(minimum(1), maximum(500), dflt(100)), "At most this many entries.")(r)
	query("cursor", str(), "Opaque: copy it from the Link header of the previous page, never build it.")(r)
	ok200 := r.op.Responses.Value("200")
	if ok200 == nil {
		r.err = errPagedWithout200
		return
	}
	ok200.Value.Headers = openapi3.Headers{"Link": {Value: &openapi3.Header{Parameter: openapi3.Parameter{Schema: str(),
		Description: "`<URL>; rel=\"next\"` (RFC 8288) when there are more entries: follow URL for the next page. Absent on the last page."}}}}
	d := "Paged: at most `limit` entries, and a Link header to the next page while there are more; following it never repeats or skips an entry while new ones arrive."
	if r.op.Description != "" {
		d = r.op.Description + " " + d
	}
	r.op.Description = d
}

type generatorError string

func (e generatorError) Error() string { return string(e) }

const errPagedWithout200 = generatorError("paged needs the 200 answer before it")

// sortedKeys is for deterministic iteration in the generator.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
