// Package testenv lets a test that cannot run its check (a tool or a corpus
// missing) say so: it skips on a developer's machine, but fails under CI,
// where a skipped check would be a check that silently stopped running.
package testenv

import (
	"os"
	"testing"
)

// Unavailable skips t with the reason, or fails it when the environment
// variable CI is set (to anything but "" or "false").
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI is set but this test cannot run its check: "+format, args...)
	}
	t.Skipf(format, args...)
}

// InCI reports whether the environment variable CI is set (to anything but
// "" or "false"): checks that cannot run must then fail.
func InCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false"
}
