package webapi

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The generator's rules: names from json tags, required unless omitted when
// empty, null only where written as null, ids positive; a note naming a
// property that is not there fails instead of vanishing.
func TestOpenAPIGeneratorRules(t *testing.T) {
	type inner struct {
		Word string `json:"word"`
	}
	type sample struct {
		ID      uint64     `json:"id"`
		OwnerID uint64     `json:"owner_id,omitempty"`
		Count   uint32     `json:"count"`
		Renamed string     `json:"new_name"`
		Gone    string     `json:"-"`
		At      *time.Time `json:"at"`
		Maybe   *time.Time `json:"maybe,omitempty"`
		Since   time.Time  `json:"since,omitzero"`
		Inner   inner      `json:"inner"`
		Items   []inner    `json:"items"`
	}
	s, err := schemaOfType(sample{})
	if err != nil {
		t.Fatal(err)
	}
	v := s.Value
	var names []string
	for n := range v.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"at", "count", "id", "inner", "items", "maybe", "new_name", "owner_id", "since"}; !slices.Equal(names, want) {
		t.Errorf("properties %v, want %v", names, want)
	}
	if want := []string{"at", "count", "id", "inner", "items", "new_name"}; !slices.Equal(v.Required, want) {
		t.Errorf("required %v, want %v", v.Required, want)
	}
	p := v.Properties
	if !p["at"].Value.Nullable || p["maybe"].Value.Nullable || p["at"].Value.Format != "date-time" {
		t.Errorf("at nullable=%v format=%q, maybe nullable=%v: want a nullable date-time and a non-null one",
			p["at"].Value.Nullable, p["at"].Value.Format, p["maybe"].Value.Nullable)
	}
	if m := p["id"].Value.Min; m == nil || *m != 1 || p["id"].Value.Format != "int64" {
		t.Errorf("id: minimum %v format %q, want 1 and int64", m, p["id"].Value.Format)
	}
	if m := p["count"].Value.Min; m == nil || *m != 0 || p["count"].Value.Max != nil {
		t.Errorf("count: minimum %v maximum %v, want 0 and none", m, p["count"].Value.Max)
	}
	if !slices.Equal(p["inner"].Value.Required, []string{"word"}) || p["items"].Value.Items.Value.Properties["word"] == nil {
		t.Errorf("nested structs not described: %+v", p["inner"].Value)
	}

	if err := applyNotes(s, map[string][]tweak{"items[].word": {desc("a word")}, "inner.word": {enum("a")}}); err != nil {
		t.Fatalf("notes on existing properties: %v", err)
	}
	if got := p["items"].Value.Items.Value.Properties["word"].Value.Description; got != "a word" {
		t.Errorf("note through an array's items: description %q", got)
	}
	for _, stale := range []string{"old_name", "inner.nope", "new_name[].x"} {
		err := applyNotes(s, map[string][]tweak{stale: {desc("x")}})
		if err == nil || !strings.Contains(err.Error(), stale) {
			t.Errorf("note %q on no property: error %v, want one naming it", stale, err)
		}
	}
}

// Every component and route of the document generates without error, and
// every component is used by a route or another component.
func TestOpenAPIComponentsAreUsed(t *testing.T) {
	b, err := openapiDocumentJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range openapiComponents {
		if !strings.Contains(string(b), `"#/components/schemas/`+c.name+`"`) {
			t.Errorf("component %s is referenced nowhere", c.name)
		}
	}
}
