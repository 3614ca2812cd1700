// Command testreport reads `go test -json` events on stdin and prints what
// a person wants from a test run: each package's result, the whole output
// of every failed test, and at the end every skipped test with the reason
// it gave (a skipped check is a check that did not run: scripts/test
// shows which and why). It exits 1 when a test or package failed.
//
//	go test -json ./... | go run ./internal/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// skip is a skipped test and why.
type skip struct{ pkg, test, reason string }

func main() {
	os.Exit(report(os.Stdin, os.Stdout))
}

// report reads events from r, writes the report to w and returns the
// exit status.
func report(r io.Reader, w io.Writer) int {
	out := map[string][]string{} // package/test → output lines
	var skips []skip
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(w, sc.Text()) // build errors and the like come as plain text
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "output":
			out[key] = append(out[key], e.Output)
		case "skip":
			if e.Test == "" {
				fmt.Fprintf(w, "?   \t%s\t[no test files]\n", e.Package)
			} else {
				skips = append(skips, skip{e.Package, e.Test, reasonOf(out[key])})
			}
			delete(out, key)
		case "pass":
			if e.Test == "" {
				fmt.Fprintf(w, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(out, key)
		case "fail":
			failed = true
			if e.Test == "" {
				fmt.Fprint(w, strings.Join(out[key], ""))
				fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			} else {
				fmt.Fprint(w, strings.Join(out[key], ""))
			}
			delete(out, key)
		}
	}
	if len(skips) > 0 {
		sort.Slice(skips, func(i, j int) bool { return skips[i].pkg+skips[i].test < skips[j].pkg+skips[j].test })
		fmt.Fprintf(w, "\n%d tests skipped:\n", len(skips))
		for _, s := range skips {
			fmt.Fprintf(w, "  SKIP %s %s: %s\n", s.pkg, s.test, s.reason)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// reasonOf is what a skipped test printed, without the framework's lines.
func reasonOf(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
