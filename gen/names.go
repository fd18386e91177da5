package gen

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// validIdent reports whether s is an FTL identifier: ^[A-Za-z_][A-Za-z0-9_]*$.
// Names come from another organisation's repository; nothing else may reach
// generated code.
func validIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// predeclared holds Go's predeclared identifiers (int, string, any, nil,
// len, ...), which a package or import name must not shadow.
var predeclared = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range types.Universe.Names() {
		m[n] = true
	}
	return m
}()

// CheckRealmName reports whether name can be a pinned realm's local name:
// its clients go to import path ftl/realm/<name>, so beyond being an FTL
// identifier it must be a path element Go accepts and imports normally
// (not "internal", "vendor", "_x", "con", ...). `realm add` checks it
// before pinning, so that gen does not refuse the realm later.
func CheckRealmName(name string) error { return checkRealmName(name) }

// checkRealmName checks a pinned realm's local name, which becomes the import
// path element in ftl/realm/<realm>.
func checkRealmName(name string) error {
	if !validIdent(name) {
		return fmt.Errorf("realm name %s is not a valid identifier", diag.Quote(name))
	}
	if p := schema.ImportPathElemProblem(name); p != "" {
		return fmt.Errorf("realm name %s cannot be an import path element: %s", diag.Quote(name), p)
	}
	return nil
}

// escapeLower appends "_" to a lower-case name that Go reserves or that would
// shadow something generated code needs: keywords, predeclared identifiers,
// main and init (not importable / not declarable), and the blank identifier.
func escapeLower(name string) string {
	if token.IsKeyword(name) || predeclared[name] || name == "main" || name == "init" || name == "_" {
		return name + "_"
	}
	return name
}

// packageName is the Go package name of a module: its name in lower case,
// escaped.
func packageName(module string) string {
	return escapeLower(strings.ToLower(module))
}

// exported spells an FTL identifier as an exported Go identifier: the first
// letter upper-cased, or "X" prepended when it starts with "_". Every
// package-level name gen emits is exported, so none can collide with a
// keyword, a predeclared identifier or an import name (all lower case).
func exported(name string) string {
	switch c := name[0]; {
	case c == '_':
		return "X" + name
	case 'a' <= c && c <= 'z':
		return string(c-'a'+'A') + name[1:]
	}
	return name
}

// localNames are the lower-case identifiers generated code declares or uses
// inside its own scopes; an import alias must differ from all of them.
var localNames = map[string]bool{
	"ctx": true, "req": true, "opts": true, "c": true, "err": true,
	"client": true, "context": true, "time": true, "ftlrealm": true,
}
