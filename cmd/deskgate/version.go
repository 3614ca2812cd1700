package main

import (
	"fmt"
	"runtime/debug"
)

// baseVersion is the release this source is, or leads to (CHANGELOG.md).
const baseVersion = "0.1.0"

// version may be set at build time with -ldflags "-X main.version=…";
// empty, it comes from Go's build information (versionString).
var version = ""

// versionString is the version and the commit it was built from: the
// -X value, else the module version `go install …@vX` recorded, else
// baseVersion with "-dev"; then the VCS revision, time and a "modified"
// mark that `go build` in a checkout records (runtime/debug.BuildInfo).
func versionString() string {
	return formatVersion(version, readBuildInfo())
}

func readBuildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

func formatVersion(v string, bi *debug.BuildInfo) string {
	var rev, at string
	modified := false
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = baseVersion + "-dev"
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	s := fmt.Sprintf("%s (commit %s", v, rev)
	if at != "" {
		s += ", " + at
	}
	if modified {
		s += ", modified"
	}
	return s + ")"
}
