package config

import (
	"fmt"
	"strings"
)

// Sample returns a commented TOML configuration file with every key set to
// its default (hostname, whose default is derived from domains, is
// commented out). It is what `deskgate config sample` prints and what the
// README shows; Load reads it back to exactly Default().
func Sample() string {
	d := Default()
	var b strings.Builder
	b.WriteString("# deskgate configuration file (TOML): deskgate serve --config FILE\n")
	b.WriteString("#\n")
	b.WriteString("# Every key below is shown with its default. Each has an environment\n")
	b.WriteString("# variable, which wins over this file; an empty variable counts as unset.\n")
	b.WriteString("# Durations: Go syntax (\"90s\", \"1m\", \"1h30m\", \"120h\") plus \"d\" = 24h (\"5d\").\n")
	b.WriteString("# Unknown keys are an error.\n")
	for _, s := range settings {
		b.WriteString("\n")
		for _, line := range strings.Split(s.doc, "\n") {
			fmt.Fprintf(&b, "# %s\n", line)
		}
		if s.kind == kindList {
			fmt.Fprintf(&b, "# Environment: %s (comma list)\n", s.env)
		} else {
			fmt.Fprintf(&b, "# Environment: %s\n", s.env)
		}
		if s.commented {
			b.WriteString("# ")
		}
		fmt.Fprintf(&b, "%s = %s\n", s.key, tomlLiteral(s.kind, s.get(d)))
	}
	return b.String()
}

// tomlLiteral writes the textual value text of a setting of kind k as a
// TOML value.
func tomlLiteral(k kind, text string) string {
	switch k {
	case kindInt, kindBool:
		return text
	case kindList:
		var items []string
		for _, item := range strings.Split(text, ",") {
			if item != "" {
				items = append(items, tomlString(item))
			}
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	return tomlString(text)
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
