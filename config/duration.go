package config

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// durationUnits maps each accepted unit to its length in nanoseconds: Go's
// time.ParseDuration units plus "d" (exactly 24h).
var durationUnits = map[string]int64{
	"ns": int64(time.Nanosecond),
	"us": int64(time.Microsecond),
	"µs": int64(time.Microsecond), // U+00B5 micro sign
	"μs": int64(time.Microsecond), // U+03BC Greek mu
	"ms": int64(time.Millisecond),
	"s":  int64(time.Second),
	"m":  int64(time.Minute),
	"h":  int64(time.Hour),
	"d":  24 * int64(time.Hour),
}

// ParseDuration parses a duration in Go syntax ("90s", "1h30m", "-1m")
// extended with the unit "d" (24h). Unlike time.ParseDuration it computes
// exactly: a value that is not a whole number of nanoseconds ("1.5ns") or does
// not fit a time.Duration is an error, never truncated or rounded.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("invalid duration %q: empty", orig)
	}
	total := new(big.Rat)
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == '.' || ('0' <= s[i] && s[i] <= '9')) {
			i++
		}
		num := s[:i]
		if num == "" || num == "." || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("invalid duration %q: expected a number at %q", orig, s)
		}
		s = s[i:]
		j := 0
		for j < len(s) && s[j] != '.' && (s[j] < '0' || s[j] > '9') {
			j++
		}
		unit := s[:j]
		s = s[j:]
		if unit == "" {
			return 0, fmt.Errorf("invalid duration %q: missing unit after %s (use ns, us, ms, s, m, h or d)", orig, num)
		}
		ns, ok := durationUnits[unit]
		if !ok {
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use ns, us, ms, s, m, h or d)", orig, unit)
		}
		v, ok := new(big.Rat).SetString(num)
		if !ok {
			return 0, fmt.Errorf("invalid duration %q: bad number %q", orig, num)
		}
		total.Add(total, v.Mul(v, new(big.Rat).SetInt64(ns)))
	}
	if neg {
		total.Neg(total)
	}
	if !total.IsInt() {
		return 0, fmt.Errorf("invalid duration %q: not a whole number of nanoseconds", orig)
	}
	n := total.Num()
	if !n.IsInt64() || n.Int64() == math.MinInt64 {
		return 0, fmt.Errorf("invalid duration %q: out of range (max about 106751d)", orig)
	}
	return time.Duration(n.Int64()), nil
}

// FormatDuration formats d in the shortest form ParseDuration reads back to
// exactly d, preferring whole hours, minutes or seconds ("120h", "10m",
// "90s") over time.Duration's "120h0m0s".
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// parseDurationList parses a comma-separated list of durations, ignoring
// blank items.
func parseDurationList(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, item := range strings.Split(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		d, err := ParseDuration(item)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// formatDurationList is the inverse of parseDurationList.
func formatDurationList(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = FormatDuration(d)
	}
	return strings.Join(parts, ",")
}
