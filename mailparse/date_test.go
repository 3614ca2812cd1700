package mailparse

import (
	"testing"
	"time"
)

func TestParseDateLenient(t *testing.T) {
	want := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, v := range []string{
		"Tue, 1 Dec 2026 10:00:00 +0100",
		"Tue, 01 Dec 2026 10:00:00 +0100 (CET)",
		"1 Dec 2026 10:00:00 +0100",
		"Tue, 1 Dec 2026 10:00 +0100",
		"Tue,  1 Dec 2026 10:00:00 +0100",
		"Tue, 1 Dec 26 10:00:00 +0100",
		"Tue, 1 Dec 2026 09:00:00 GMT",
		"Tue, 1 Dec 2026 09:00:00 UT",
		"Tue Dec  1 09:00:00 2026",
		"2026-12-01T10:00:00+01:00",
		"Tuesday, 1 Dec 2026 10:00:00 +0100",
		"Tue, 1 Dec 2026 10:00:00 +0100 +0100",
		"Tue, 1 December 2026 10:00:00 +0100",
	} {
		if got := parseDate(v); !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v", v, got)
		}
	}
	for _, v := range []string{"", "yesterday", "Tue, 99 Foo 2026"} {
		if got := parseDate(v); !got.IsZero() {
			t.Errorf("parseDate(%q) = %v, want zero", v, got)
		}
	}
}
