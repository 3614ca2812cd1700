package config

import (
	"fmt"
	"slices"
	"strings"
)

// notSettings are DESKGATE_ variables that are read by something other
// than serve (the test suite), so they are no typo.
var notSettings = []string{"DESKGATE_CORPORA"}

// UnknownEnv returns a warning for every DESKGATE_* variable in environ
// ("NAME=value" pairs, as os.Environ gives) that is not a setting: a
// misspelt variable would otherwise be ignored without a word and the
// default silently used. Each warning names the closest known variable.
func UnknownEnv(environ []string) []string {
	known := make([]string, 0, len(settings))
	for _, s := range settings {
		known = append(known, s.env)
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(strings.ToUpper(name), "DESKGATE_") || slices.Contains(known, name) || slices.Contains(notSettings, name) {
			continue
		}
		best, bestD := "", -1
		for _, k := range known {
			if d := editDistance(strings.ToUpper(name), k); bestD < 0 || d < bestD {
				best, bestD = k, d
			}
		}
		out = append(out, fmt.Sprintf("%s is not a deskgate setting and is ignored; did you mean %s?", name, best))
	}
	slices.Sort(out)
	return out
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
