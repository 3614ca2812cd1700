package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"90s", 90 * time.Second},
		{"1m", time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{".5s", 500 * time.Millisecond},
		{"120h", 120 * time.Hour},
		{"5d", 120 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"-1m", -time.Minute},
		{" 10ms ", 10 * time.Millisecond},
		{"1µs", time.Microsecond},
		{"1.000000001s", time.Second + 1},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "1", "1.5", "1.5ns", "0.1ns", "1x", "m", "1..5s", "1w", "200000d", "9223372036854775808ns", "- 1m"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestFormatDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, 1, time.Microsecond, 1500 * time.Millisecond, 90 * time.Second,
		time.Minute, 90 * time.Minute, 120 * time.Hour, -time.Hour, 1<<63 - 1} {
		s := FormatDuration(d)
		got, err := ParseDuration(s)
		if err != nil || got != d {
			t.Errorf("FormatDuration(%v) = %q, parses to %v, %v", d, s, got, err)
		}
	}
	if s := FormatDuration(120 * time.Hour); s != "120h" {
		t.Errorf("FormatDuration(120h) = %q", s)
	}
}
