// Package templates holds the non-Go files ftl-gen-realm generates, as
// embedded text/template sources, so that their shape is visible in one place
// rather than assembled in code.
package templates

import (
	"bytes"
	_ "embed"
	"text/template"
)

//go:embed realm.go.mod.tmpl
var realmGoModSrc string

var realmGoMod = template.Must(template.New("go.mod").Parse(realmGoModSrc))

// DefaultGoVersion is the go directive of a realm module when the consumer's
// go.mod gives none. It is the go version ftl-gen-realm itself requires:
// realm modules require ftl-gen-realm's runtime, so they cannot build with
// less.
const DefaultGoVersion = "1.26.0"

// Require is one requirement of a realm module.
type Require struct {
	Path    string
	Version string
}

// RealmModule describes the go.mod of a generated realm module.
type RealmModule struct {
	Realm     string    // local realm name
	Path      string    // module path, ftl/realm/<realm>
	GoVersion string    // go directive
	Requires  []Require // in the order given
}

// RealmGoMod renders the go.mod of a generated realm module.
func RealmGoMod(m RealmModule) ([]byte, error) {
	var b bytes.Buffer
	if err := realmGoMod.Execute(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
