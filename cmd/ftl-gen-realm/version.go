package main

import (
	"runtime/debug"
	"strings"
)

// version is what --version prints, from the build info: the module's
// version (a release, or the pseudo-version the go command stamps when it
// builds a checkout), and the VCS revision, marked modified when the
// checkout had changes; "(devel)" when the build recorded none of it.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "ftl-gen-realm (devel)"
	}
	return "ftl-gen-realm " + versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" || strings.Contains(v, short(rev)) && modified != "true" {
		return v
	}
	v += " (" + short(rev)
	if modified == "true" {
		v += ", modified"
	}
	return v + ")"
}
