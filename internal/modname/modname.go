// Package modname holds the naming rules that the importers of non-FTL
// services (grpcrealm, openapirealm) share: which FTL module names gen and
// Go accept, and how clashing names are numbered.
package modname

import (
	"go/token"
	"strconv"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Safe makes a lower-case identifier a module name that schema.Validate
// and gen accept: no leading underscore (Go ignores such directories), and
// "_" appended to Go keywords, "builtin" (FTL's own module) and names Go
// refuses as import path elements (internal, vendor, testdata, Windows
// device names such as con). An empty name becomes fallback, which must
// not start with an underscore.
func Safe(name, fallback string) string {
	name = strings.TrimLeft(name, "_")
	if name == "" {
		name = fallback
	}
	if token.IsKeyword(name) || name == "builtin" || schema.ImportPathElemProblem(name) != "" {
		name += "_"
	}
	return name
}

// Claim returns name, or name with the smallest number from 2 up appended
// that taken does not hold yet, and records it as taken.
func Claim(taken map[string]bool, name string) string {
	out := name
	for i := 2; taken[out]; i++ {
		out = name + strconv.Itoa(i)
	}
	taken[out] = true
	return out
}
