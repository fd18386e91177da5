package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/templates"
)

// ModulePath is the module that provides the runtime generated code imports.
const ModulePath = "github.com/ftlrealm/ftl-gen-realm"

// placeholderVersion is what the go command itself writes for a requirement
// that only a replace directive satisfies.
const placeholderVersion = "v0.0.0-00010101000000-000000000000"

// realmModuleVersion is the version with which a consumer requires a realm
// module; a replace directive (or go.work) supplies the module.
const realmModuleVersion = "v0.0.0"

// consumer is the Go module the realm modules are wired into.
type consumer struct {
	dir, goMod string
	data       []byte
	file       *modfile.File
}

func readConsumer(dir string) (*consumer, error) {
	if dir == "" {
		return nil, nil
	}
	path := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("consumer module: %w", err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return nil, modfileError(err)
	}
	return &consumer{dir: dir, goMod: path, data: data, file: f}, nil
}

// modfileError reports x/mod's parse errors as diagnostics, at their
// file:line:col like every other.
func modfileError(err error) error {
	var list modfile.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	var out diag.List
	for _, e := range list {
		out = append(out, diag.Diagnostic{File: e.Filename, Line: e.Pos.Line, Column: e.Pos.LineRune, Message: e.Err.Error()})
	}
	return out
}

func (c *consumer) require(path string) string {
	if c == nil {
		return ""
	}
	for _, r := range c.file.Require {
		if r.Mod.Path == path {
			return r.Mod.Version
		}
	}
	return ""
}

func (c *consumer) replaces(path string) bool {
	if c == nil {
		return false
	}
	for _, r := range c.file.Replace {
		if r.Old.Path == path {
			return true
		}
	}
	return false
}

// runtimeVersionFor picks the version of ftl-gen-realm a realm module
// requires, so that it resolves in the consumer's build: an explicit
// version; else the version the consumer's go.mod requires (consumers get
// the tool with `go get -tool`, which adds it); else the version this binary
// was built as. A development build ("(devel)") has no version: realm
// modules then require the placeholder version, which builds only where the
// consumer replaces github.com/ftlrealm/ftl-gen-realm with a checkout.
func runtimeVersionFor(explicit string, c *consumer) (version, note string) {
	if explicit != "" {
		return explicit, ""
	}
	if v := c.require(ModulePath); v != "" {
		return v, ""
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Path == ModulePath && strings.HasPrefix(info.Main.Version, "v") {
		if c != nil {
			note = fmt.Sprintf("%s does not require %s, which generated code imports: run `go get %s@%s`", c.goMod, ModulePath, ModulePath, info.Main.Version)
		}
		return info.Main.Version, note
	}
	if c != nil && !c.replaces(ModulePath) {
		note = fmt.Sprintf("this is a development build of ftl-gen-realm, so realm modules require %s@%s: make %s require and replace %s with your checkout", ModulePath, placeholderVersion, c.goMod, ModulePath)
	}
	return placeholderVersion, note
}

// realmGoMod renders the go.mod of realm r's module.
func realmGoMod(r *realmInfo, c *consumer, runtimeVersion string) ([]byte, error) {
	goVersion := templates.DefaultGoVersion
	if c != nil && c.file.Go != nil {
		goVersion = c.file.Go.Version
	}
	var reqs []templates.Require
	for _, dep := range r.deps() {
		reqs = append(reqs, templates.Require{Path: ImportPrefix + "/" + dep, Version: realmModuleVersion})
	}
	reqs = append(reqs, templates.Require{Path: ModulePath, Version: runtimeVersion})
	return templates.RealmGoMod(templates.RealmModule{
		Realm: r.name, Path: ImportPrefix + "/" + r.name, GoVersion: goVersion, Requires: reqs,
	})
}

// deps returns the other realms whose packages r's packages import.
func (r *realmInfo) deps() []string {
	var out []string
	for _, m := range r.modules {
		for _, im := range m.imports() {
			if im.realm != r && !slices.Contains(out, im.realm.name) {
				out = append(out, im.realm.name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// wire makes the consumer module resolve ftl/realm/<name>/... for every
// pinned realm: a `use` line in the go.work that governs the module, if
// there is one; else `require` + `replace` in its go.mod. Edits are minimal
// (existing lines are kept as they are) and idempotent, and stale entries of
// realms no longer pinned are dropped.
func wire(root, moduleDir string, c *consumer, realms []string, res *Result) error {
	work, err := findGoWork(moduleDir)
	if err != nil {
		return err
	}
	if work != "" {
		return wireWork(root, work, realms, res)
	}
	return wireMod(root, c, realms, res)
}

// findGoWork finds the go.work the go command would use in dir: $GOWORK if
// set ("off" disables workspaces), else the nearest go.work above.
func findGoWork(dir string) (string, error) {
	switch env := os.Getenv("GOWORK"); env {
	case "off":
		return "", nil
	case "":
	default:
		return env, nil
	}
	for d := dir; ; {
		path := filepath.Join(d, "go.work")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", nil
		}
		d = parent
	}
}

// modRel spells target relative to dir as go.mod and go.work want local
// paths: slash-separated, starting with ./ or ../.
func modRel(dir, target string) (string, error) {
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel, nil
}

func wireMod(root string, c *consumer, realms []string, res *Result) error {
	f := c.file
	changed := false
	for _, name := range realms {
		path := ImportPrefix + "/" + name
		rel, err := modRel(c.dir, RealmDir(root, name))
		if err != nil {
			return err
		}
		if c.require(path) == "" {
			addDirectRequire(f, path, realmModuleVersion)
			changed = true
		}
		if !slices.ContainsFunc(f.Replace, func(r *modfile.Replace) bool {
			return r.Old.Path == path && r.Old.Version == "" && r.New.Path == rel && r.New.Version == ""
		}) {
			if err := f.AddReplace(path, "", rel, ""); err != nil {
				return err
			}
			changed = true
		}
	}
	for _, r := range slices.Clone(f.Replace) {
		name, ok := strings.CutPrefix(r.Old.Path, ImportPrefix+"/")
		if !ok || strings.Contains(name, "/") || slices.Contains(realms, name) || r.New.Version != "" {
			continue
		}
		if want, err := modRel(c.dir, RealmDir(root, name)); err != nil || want != r.New.Path {
			continue // not a replace gen wrote
		}
		path := r.Old.Path // DropReplace zeroes *r
		if err := f.DropReplace(path, r.Old.Version); err != nil {
			return err
		}
		if err := f.DropRequire(path); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return err
	}
	return writeWired(root, c.goMod, c.data, out, res)
}

func wireWork(root, path string, realms []string, res *Result) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return modfileError(err)
	}
	dir := filepath.Dir(path)
	used := func(target string) bool {
		return slices.ContainsFunc(wf.Use, func(u *modfile.Use) bool {
			return filepath.Clean(filepath.Join(dir, filepath.FromSlash(u.Path))) == filepath.Clean(target)
		})
	}
	changed := false
	for _, name := range realms {
		target := RealmDir(root, name)
		if used(target) {
			continue
		}
		rel, err := modRel(dir, target)
		if err != nil {
			return err
		}
		if err := wf.AddUse(rel, ""); err != nil {
			return err
		}
		changed = true
	}
	base := filepath.Join(root, ".ftl", "go", "realm")
	for _, u := range slices.Clone(wf.Use) {
		abs := filepath.Clean(filepath.Join(dir, filepath.FromSlash(u.Path)))
		if filepath.Dir(abs) == base && !slices.Contains(realms, filepath.Base(abs)) {
			if err := wf.DropUse(u.Path); err != nil {
				return err
			}
			changed = true
		}
	}
	if !changed {
		return nil
	}
	wf.Cleanup()
	return writeWired(root, path, data, modfile.Format(wf.Syntax), res)
}

func writeWired(root, path string, old, data []byte, res *Result) error {
	if bytes.Equal(old, data) {
		return nil
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	res.Wired = append(res.Wired, relTo(root, path))
	return nil
}
