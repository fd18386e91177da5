package scan

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"golang.org/x/mod/modfile"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/internal/tomlguard"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// ModuleFile is the file that marks a directory as an FTL module.
const ModuleFile = "ftl.toml"

// Module is one FTL Go module of the realm.
type Module struct {
	Name      string // the FTL module name (ftl.toml `module`)
	Dir       string // absolute directory holding ftl.toml and go.mod
	Path      string // Go module path: ftl/<Name>
	GoVersion string // the go.mod `go` line, e.g. "1.26.0"; "" when absent
}

// moduleConfig is the part of ftl.toml the scanner reads.
type moduleConfig struct {
	Module   string `toml:"module"`
	Language string `toml:"language"`
}

// skipDir reports whether the module walk stays out of a directory: FTL's
// and git's state, test fixtures, vendored code and hidden directories.
func skipDir(name string) bool {
	switch name {
	case ".ftl", ".git", "testdata", "vendor":
		return true
	}
	return strings.HasPrefix(name, ".")
}

// FindModules returns the Go FTL modules of p, sorted by name: every
// directory holding ftl.toml under the module-dirs of ftl-project.toml, or
// under the project root when module-dirs is not set. Modules in another
// language are left out and named in notes.
func FindModules(p *project.Project) (mods []Module, notes []string, err error) {
	roots := p.ModuleDirs()
	if len(roots) == 0 {
		roots = []string{p.Root}
	}
	var dirs []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == root && errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("module-dirs: %s does not exist", rel(p.Root, root))
				}
				return err
			}
			if d.IsDir() && path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if !d.IsDir() && d.Name() == ModuleFile {
				dirs = append(dirs, filepath.Dir(path))
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs) // module-dirs may overlap

	// Reading the files of many modules is worth doing in parallel.
	type read struct {
		m    Module
		note string
		err  error
	}
	reads := make([]read, len(dirs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, dir := range dirs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			reads[i].m, reads[i].note, reads[i].err = readModule(p.Root, dir)
		})
	}
	wg.Wait()

	var list diag.List
	byName := map[string]string{} // module name -> its ftl.toml, relative
	for i, dir := range dirs {
		m, note, err := reads[i].m, reads[i].note, reads[i].err
		switch {
		case err != nil:
			var dl diag.List
			if !errors.As(err, &dl) {
				return nil, nil, err
			}
			list = append(list, dl...)
			continue
		case note != "":
			notes = append(notes, note)
			continue
		}
		file := rel(p.Root, filepath.Join(dir, ModuleFile))
		if first, dup := byName[m.Name]; dup {
			list.Add(file, moduleKeyLine(filepath.Join(dir, ModuleFile)), 1, "module %s is defined twice (first in %s)", m.Name, first)
			continue
		}
		byName[m.Name] = file
		mods = append(mods, m)
	}
	if len(list) > 0 {
		list.Sort()
		return nil, nil, list
	}
	slices.SortFunc(mods, func(a, b Module) int { return strings.Compare(a.Name, b.Name) })
	return mods, notes, nil
}

// readModule reads dir's ftl.toml and go.mod. A module in another language
// gives a note instead.
func readModule(root, dir string) (Module, string, error) {
	tomlPath := filepath.Join(dir, ModuleFile)
	file := rel(root, tomlPath)
	data, err := os.ReadFile(tomlPath)
	if err != nil {
		return Module{}, "", err
	}
	var cfg moduleConfig
	err = tomlguard.Check(data)
	if err == nil {
		_, err = toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	}
	if err != nil {
		var ge *tomlguard.Error
		d := diag.Diagnostic{File: file}
		if errors.As(err, &ge) {
			d.Line, d.Column, d.Message = ge.Line, ge.Column, ge.Message
		} else {
			d = project.DecodeError(file, data, err)[0]
		}
		d.Message = "invalid " + ModuleFile + ": " + d.Message
		return Module{}, "", diag.List{d}
	}
	if cfg.Language != "" && cfg.Language != "go" {
		return Module{}, fmt.Sprintf("skipped module %s in %s: language %q (only Go modules are scanned)", cfg.Module, rel(root, dir), cfg.Language), nil
	}
	// For messages only: finding it for every module is a cost.
	line := func() int { return moduleKeyLineIn(data) }
	switch {
	case cfg.Module == "":
		return Module{}, "", diag.List{{File: file, Line: 1, Column: 1, Message: `no module name: want module = "<name>"`}}
	case !schema.ValidIdentifier(cfg.Module):
		return Module{}, "", diag.List{{File: file, Line: line(), Column: 1, Message: fmt.Sprintf("invalid module name %q: want letters, digits and underscores, not starting with a digit", cfg.Module)}}
	case token.IsKeyword(cfg.Module):
		// As FTL's ValidateModuleName: the module's Go package could not
		// be named after it.
		return Module{}, "", diag.List{{File: file, Line: line(), Column: 1, Message: fmt.Sprintf("invalid module name %q: Go keyword", cfg.Module)}}
	}
	m := Module{Name: cfg.Module, Dir: dir, Path: "ftl/" + cfg.Module}

	modPath := filepath.Join(dir, "go.mod")
	modData, err := os.ReadFile(modPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Module{}, "", diag.List{{File: file, Line: line(), Column: 1, Message: fmt.Sprintf("module %s has no go.mod next to %s", m.Name, ModuleFile)}}
	} else if err != nil {
		return Module{}, "", err
	}
	mf, err := modfile.ParseLax(modPath, modData, nil)
	if err != nil {
		return Module{}, "", modfileError(root, modPath, err)
	}
	if mf.Module == nil || mf.Module.Mod.Path != m.Path {
		got, l := "none", 1
		if mf.Module != nil {
			got, l = fmt.Sprintf("%q", mf.Module.Mod.Path), mf.Module.Syntax.Start.Line
		}
		return Module{}, "", diag.List{{File: rel(root, modPath), Line: l, Column: 1,
			Message: fmt.Sprintf("FTL module %s must have Go module path %s, not %s", m.Name, m.Path, got)}}
	}
	if mf.Go != nil {
		m.GoVersion = mf.Go.Version
	}
	return m, "", nil
}

// modfileError turns a go.mod or go.work parse error into diagnostics.
func modfileError(root, path string, err error) error {
	var el modfile.ErrorList
	if !errors.As(err, &el) {
		return diag.List{{File: rel(root, path), Message: err.Error()}}
	}
	var list diag.List
	for _, e := range el {
		// Some messages name the file again ("unterminated block started
		// at <path>:5:1"), as the diagnostics name it: relative.
		msg := strings.ReplaceAll(e.Err.Error(), path, rel(root, path))
		list = append(list, diag.Diagnostic{File: rel(root, path), Line: e.Pos.Line, Column: e.Pos.LineRune, Message: msg})
	}
	return list
}

var moduleKey = regexp.MustCompile(`(?m)^[ \t]*module[ \t]*=`)

// moduleKeyLine returns the line of the `module` key in an ftl.toml, or 1.
func moduleKeyLine(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 1
	}
	return moduleKeyLineIn(data)
}

// moduleKeyLineIn returns the line of the `module` key in the contents of
// an ftl.toml, or 1.
func moduleKeyLineIn(data []byte) int {
	if loc := moduleKey.FindIndex(data); loc != nil {
		return bytes.Count(data[:loc[0]], []byte("\n")) + 1
	}
	return 1
}

// rel returns path relative to root, slash-separated: how every position in
// the schema and in diagnostics names a file. Paths outside root stay
// absolute.
func rel(root, path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}
