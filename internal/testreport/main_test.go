package main

import (
	"strings"
	"testing"
)

// The report lists each skipped test with its reason, the output of a
// failed test, each package's result, and exits 1 on a failure.
func TestReportListsSkipsWithReasons(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"example/a","Test":"TestTool"}`,
		`{"Action":"output","Package":"example/a","Test":"TestTool","Output":"=== RUN   TestTool\n"}`,
		`{"Action":"output","Package":"example/a","Test":"TestTool","Output":"    tool_test.go:12: swaks is not installed\n"}`,
		`{"Action":"output","Package":"example/a","Test":"TestTool","Output":"--- SKIP: TestTool (0.00s)\n"}`,
		`{"Action":"skip","Package":"example/a","Test":"TestTool","Elapsed":0}`,
		`{"Action":"output","Package":"example/a","Test":"TestBad","Output":"    bad_test.go:3: boom\n"}`,
		`{"Action":"fail","Package":"example/a","Test":"TestBad","Elapsed":0}`,
		`{"Action":"fail","Package":"example/a","Elapsed":1.5}`,
		`{"Action":"pass","Package":"example/b","Elapsed":0.25}`,
	}, "\n")
	var out strings.Builder
	code := report(strings.NewReader(in), &out)
	text := out.String()
	for _, want := range []string{
		"SKIP example/a TestTool: tool_test.go:12: swaks is not installed",
		"1 tests skipped",
		"bad_test.go:3: boom",
		"FAIL\texample/a\t1.500s",
		"ok  \texample/b\t0.250s",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 after a failure", code)
	}
}
