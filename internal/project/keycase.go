package project

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// BurntSushi/toml matches struct fields case-insensitively, so it reads
// [Realms.Egress.bank] or GIT-REPO as our keys, while TOML keys are
// case-sensitive and the editor finds entries by their exact path. Left
// alone, `realm remove` would report success and leave such an entry in
// place, and `realm update` would add a second entry that the old one
// shadows. So a key that spells one of ours in other letter case is an
// error.

// keyLevel lists the keys ftl-gen-realm reads at one level of the file;
// "*" is a name of the user's (a realm entry) whose keys are next.
type keyLevel map[string]keyLevel

var pinKeys = keyLevel{"git-repo": nil, "git-branch": nil, "git-commit": nil, "git-path": nil}

var ourKeys = keyLevel{
	"name": nil, "module-dirs": nil, "config-provider": nil, "secrets-provider": nil,
	"realms":          {"public-schema": nil, "egress": {"*": pinKeys}, "ingress": {"*": pinKeys}},
	"external-realms": {"*": pinKeys},
}

// miscased returns the index of the first element of key that differs
// from one of our keys in letter case only, and that key; -1 when there is
// none.
func miscased(key toml.Key) (int, string) {
	level := ourKeys
	for i, k := range key {
		if level == nil {
			return -1, ""
		}
		if next, ok := level["*"]; ok {
			level = next
			continue
		}
		if next, ok := level[k]; ok {
			level = next
			continue
		}
		for name := range level {
			if strings.EqualFold(name, k) {
				return i, name
			}
		}
		return -1, ""
	}
	return -1, ""
}

// checkKeyCase reports every key of a decoded file that spells one of ours
// in other letter case, at its position.
func checkKeyCase(file string, md toml.MetaData, stmts []stmt) error {
	var list diag.List
	at := &Project{stmts: stmts}
	seen := map[string]bool{}
	for _, key := range md.Keys() {
		i, want := miscased(key)
		if i < 0 {
			continue
		}
		bad := key[:i+1] // once for a table and all the keys under it
		if seen[bad.String()] {
			continue
		}
		seen[bad.String()] = true
		line, col := at.Position(key...) // the first key under it, in file order

		list = append(list, diag.Diagnostic{File: file, Line: line, Column: col,
			Message: fmt.Sprintf("key %s: %q must be spelt %q (TOML keys are case-sensitive)", bad, key[i], want)})
	}
	return list.Err()
}
