package templates

import (
	"runtime"
	"strings"
	"testing"
)

func TestPrintfWidthsBounded(t *testing.T) {
	for _, ok := range []string{`%d`, `%05d`, `%-100s`, `%.2f`, `%8.3f`, `%%`, `%[1]d`, `%+v`, `100%%`, `%x`} {
		if err := checkPrintfFormat(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{`%0999999999d`, `%101d`, `%.101f`, `%1.999999s`, `%*d`, `%.*f`, `%[1]*d`, `%[2]0999999d`, `x %d %0200d`} {
		if err := checkPrintfFormat(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	vars := VariablesOf(Notification)
	for _, tm := range []Template{
		{Subject: "s", Text: `{{printf "%0999999999d" 1}}`},
		{Subject: `{{printf "%.500s" .Subject}}`, Text: "t"},
		{Subject: "s", Text: "t", HTML: `<p>{{.Subject | printf "%0200s"}}</p>`},
		{Subject: "s", Text: `{{printf .Subject 1}}`}, // a format from data: refused
	} {
		err := Validate(tm, vars)
		if err == nil || !strings.Contains(err.Error(), "printf") {
			t.Errorf("%+v: %v, want a printf error", tm, err)
		}
	}
	if err := Validate(Template{Subject: `{{printf "%5d new" .Count}}`, Text: "t"}, vars); err != nil {
		t.Errorf("a small width refused: %v", err)
	}
}

// Rendering a template that escaped validation (stored before, or a format
// from data) refuses the wide verb instead of allocating it.
func TestRenderRefusesWidePrintfWithoutAllocating(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Render(Template{Subject: "s", Text: `{{printf .F 1}}`}, map[string]any{"F": "%0999999999d"})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "printf") {
		t.Fatalf("want a printf error, got %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Fatalf("rendering allocated %d MB", grew>>20)
	}
}
