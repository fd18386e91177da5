package project

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// CheckName reports whether name is a valid external realm name: an FTL
// identifier, because the name becomes a Go import path element, a cache
// file name and part of the config key <name>-realm-endpoint.
func CheckName(name string) error {
	if !schema.ValidIdentifier(name) {
		return fmt.Errorf("invalid realm name %s: want letters, digits and underscores, not starting with a digit", diag.Quote(name))
	}
	return nil
}

// CheckPin reports the problems of a pin, one error per bad key, each
// naming the key. A pin with no commit yet is valid (`realm update` pins it).
func CheckPin(pin Pin) error {
	var errs []error
	for _, f := range pinFields(pin) {
		if err := checkField(f.key, f.val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.key, err))
		}
	}
	return errors.Join(errs...)
}

type field struct{ key, val string }

// pinFields lists a pin's keys in the order they are written to the file.
func pinFields(pin Pin) []field {
	return []field{
		{"git-repo", pin.GitRepo},
		{"git-branch", pin.GitBranch},
		{"git-commit", pin.GitCommit},
		{"git-path", pin.GitPath},
	}
}

func checkField(key, val string) error {
	switch key {
	case "git-repo":
		return gitsource.CheckRepo(val)
	case "git-branch":
		return gitsource.CheckBranch(val)
	case "git-commit":
		if val == "" {
			return nil
		}
		return gitsource.CheckCommit(val)
	case "git-path":
		if val == "" {
			return nil
		}
		if err := gitsource.CheckPath(val); err != nil {
			return err
		}
		return checkSchemaExt(val)
	}
	return nil
}

func checkSchemaExt(p string) error {
	switch strings.ToLower(path.Ext(p)) {
	case ".txtpb", ".textproto", ".pbtxt", ".json":
		return nil
	}
	return fmt.Errorf("%s is not a schema file name (want a .txtpb or .json extension)", diag.Quote(p))
}

// validate checks everything ftl-gen-realm relies on, reporting each
// problem at its key's position.
func (p *Project) validate() error {
	var list diag.List
	for _, sec := range []Section{SectionEgress, SectionExternalRealms, SectionIngress} {
		entries := p.Config.entries(sec)
		names := make([]string, 0, len(entries))
		for name := range entries {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			key := append(sec.path(), name)
			if err := CheckName(name); err != nil {
				list = append(list, p.Errorf(key, "[%s.%s]: %v", sec, tomlKey(name), err))
				continue
			}
			for _, f := range pinFields(entries[name]) {
				if err := checkField(f.key, f.val); err != nil {
					list = append(list, p.Errorf(append(key, f.key), "realm %s: %s: %v", name, f.key, err))
				}
			}
		}
	}
	for _, d := range p.Config.ModuleDirs {
		if c := path.Clean(d); path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
			list = append(list, p.Errorf([]string{"module-dirs"}, "module-dirs: %s is not inside the project root", diag.Quote(d)))
		}
	}
	if ps := p.Config.Realms.PublicSchema; ps != "" {
		err := gitsource.CheckPath(ps)
		if err == nil {
			err = checkSchemaExt(ps)
		}
		if err != nil {
			list = append(list, p.Errorf([]string{"realms", "public-schema"}, "realms.public-schema: %v", err))
		}
	}
	return list.Err()
}

// tomlKey writes a key as TOML needs it: bare when it can be, else quoted,
// so that a name such as "../x" shows as what it is.
func tomlKey(k string) string {
	for _, c := range []byte(k) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return diag.Quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
