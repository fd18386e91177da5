package scan

import (
	"context"
	"fmt"
	"go/ast"
	"go/version"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// loadMode is what the scanner needs from go/packages: the names, syntax and
// full type information of the modules' own packages. Dependencies are
// type-checked from export data (no NeedDeps), which is what keeps a load of
// many modules cheap; NeedFiles and NeedImports would only add fields the
// scanner does not read (the loader links the packages it loads from source
// to each other either way, so a type of ftl/ledger seen from ftl/balance
// is the one declared in ledger's source).
const loadMode = packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo

// workspace is a temporary go.work listing every module of the realm, so
// that one packages.Load sees them all and resolves their imports of each
// other to their real source. The user's own go.work files are never
// written: the scanner points GOWORK at its own file.
type workspace struct {
	dir      string   // temporary directory holding go.work
	env      []string // the go command's environment
	patterns []string // ftl/<module>/... for every module
}

// newWorkspace writes the temporary go.work for mods. env is the base
// environment (nil: the process's).
//
// Uses and replaces from the go.work files that govern the modules (GOWORK,
// else the nearest go.work above each module) are carried over, so that
// what those files make importable — the generated clients of other realms
// (.ftl/go/realm/<name>), FTL's builtin stubs — still is. A used directory
// that holds one of the realm's own modules (such as FTL's stub of it under
// .ftl/go/modules) is left out: the real module takes its place. The go
// line is the highest of all the modules' (a go.work must not be older
// than a module it uses), at least 1.22.
func newWorkspace(mods []Module, env []string) (*workspace, error) {
	if env == nil {
		env = os.Environ()
	}
	ours := map[string]bool{}
	for _, m := range mods {
		ours[m.Path] = true
	}
	goVersion := "1.22"
	raise := func(v string) {
		if v != "" && version.Compare("go"+v, "go"+goVersion) > 0 {
			goVersion = v
		}
	}
	var uses []string
	for _, m := range mods {
		raise(m.GoVersion)
		uses = append(uses, m.Dir)
	}
	var replaces []*modfile.Replace
	for _, path := range governingWorkFiles(mods, env) {
		wf, err := readWorkFile(path)
		if err != nil {
			return nil, err
		}
		if wf.Go != nil {
			raise(wf.Go.Version)
		}
		base := filepath.Dir(path)
		for _, u := range wf.Use {
			dir := absPath(base, u.Path)
			modPath, goVers := moduleAt(dir)
			if modPath == "" || ours[modPath] || slices.Contains(uses, dir) {
				continue
			}
			raise(goVers)
			uses = append(uses, dir)
		}
		for _, r := range wf.Replace {
			if slices.ContainsFunc(replaces, func(x *modfile.Replace) bool { return x.Old == r.Old }) {
				continue
			}
			r := *r
			if modfile.IsDirectoryPath(r.New.Path) {
				r.New.Path = absPath(base, r.New.Path)
			}
			replaces = append(replaces, &r)
		}
	}

	wf := &modfile.WorkFile{Syntax: &modfile.FileSyntax{}}
	if err := wf.AddGoStmt(goVersion); err != nil {
		return nil, err
	}
	for _, dir := range uses {
		wf.AddNewUse(dir, "")
	}
	for _, r := range replaces {
		if err := wf.AddReplace(r.Old.Path, r.Old.Version, r.New.Path, r.New.Version); err != nil {
			return nil, err
		}
	}
	wf.Cleanup()
	dir, err := os.MkdirTemp("", "ftl-gen-realm-scan-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "go.work")
	if err := os.WriteFile(file, modfile.Format(wf.Syntax), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	w := &workspace{dir: dir, env: goEnv(env, file)}
	for _, m := range mods {
		w.patterns = append(w.patterns, m.Path+"/...")
	}
	return w, nil
}

// close removes the temporary go.work (and the go.work.sum the go command
// may have written next to it).
func (w *workspace) close() { os.RemoveAll(w.dir) }

// config is the packages.Config of the one load.
func (w *workspace) config(ctx context.Context, dir string) *packages.Config {
	return &packages.Config{Mode: loadMode, Context: ctx, Dir: dir, Env: w.env}
}

// goEnv returns env with GOWORK pointing at file. GOFLAGS loses any -mod or
// -modfile flag, which the go command refuses in workspace mode, and gets
// -mod=readonly, so that a -mod=mod from `go env -w` cannot fail the load
// either.
func goEnv(env []string, file string) []string {
	var out []string
	goflags := ""
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GOWORK":
			continue
		case "GOFLAGS":
			goflags = v // the last one wins, as in os/exec
			continue
		}
		out = append(out, kv)
	}
	var flags []string
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name != "mod" && name != "modfile" {
			flags = append(flags, f)
		}
	}
	flags = append(flags, "-mod=readonly")
	return append(out, "GOWORK="+file, "GOFLAGS="+strings.Join(flags, " "))
}

// governingWorkFiles returns the go.work files the go command would use for
// the modules: $GOWORK when set, else the nearest go.work at or above each
// module's directory.
func governingWorkFiles(mods []Module, env []string) []string {
	gowork := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOWORK="); ok {
			gowork = v
		}
	}
	switch gowork {
	case "off":
		return nil
	case "":
	default:
		return []string{gowork}
	}
	// Modules share parent directories; each is looked at once.
	found := map[string]string{} // directory -> the go.work governing it, or ""
	var governing func(dir string) string
	governing = func(dir string) string {
		if f, ok := found[dir]; ok {
			return f
		}
		f := ""
		if info, err := os.Stat(filepath.Join(dir, "go.work")); err == nil && !info.IsDir() {
			f = filepath.Join(dir, "go.work")
		} else if parent := filepath.Dir(dir); parent != dir {
			f = governing(parent)
		}
		found[dir] = f
		return f
	}
	var files []string
	for _, m := range mods {
		if f := governing(m.Dir); f != "" && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	return files
}

func readWorkFile(path string) (*modfile.WorkFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return wf, nil
}

// moduleAt returns the module path and go version of the go.mod in dir, or
// "" when there is none.
func moduleAt(dir string) (path, goVersion string) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", ""
	}
	mf, err := modfile.ParseLax(filepath.Join(dir, "go.mod"), data, nil)
	if err != nil || mf.Module == nil {
		return "", ""
	}
	if mf.Go != nil {
		goVersion = mf.Go.Version
	}
	return mf.Module.Mod.Path, goVersion
}

func absPath(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, filepath.FromSlash(p))
}

// load loads every package of mods in one packages.Load, and returns
// them with what was read of their files' syntax while go list ran (see
// newIndex). Errors in the packages (syntax, types, imports that do not
// resolve) are returned as diagnostics relative to root: the types the
// scanner would read could be incomplete.
func load(ctx context.Context, root string, mods []Module, env []string) ([]*packages.Package, map[*ast.File]*fileSyntax, error) {
	pp := startPreparse(root, mods)
	defer pp.wait()
	w, err := newWorkspace(mods, env)
	if err != nil {
		return nil, nil, err
	}
	defer w.close()
	cfg := w.config(ctx, root)
	cfg.Fset, cfg.ParseFile = pp.fset, pp.parseFile
	pkgs, err := packages.Load(cfg, w.patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the Go packages of the realm's modules: %w", err)
	}
	slices.SortFunc(pkgs, func(a, b *packages.Package) int { return strings.Compare(a.PkgPath, b.PkgPath) })
	var list diag.List
	seen := map[string]bool{}
	for _, p := range pkgs {
		typeErrors := slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return e.Kind != packages.ListError })
		parseErrors := slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return e.Kind == packages.ParseError })
		for _, e := range p.Errors {
			// Type errors in a package that does not parse are echoes of
			// the syntax errors, often without a position: a file the
			// parser gave up on has no package name, which gives
			// "package ; expected package balance".
			if parseErrors && e.Kind == packages.TypeError {
				continue
			}
			// When it builds export data, go list repeats the compiler's
			// output ("# ftl/x\n<errors>"), which the type checker has
			// already reported one by one, with positions.
			if typeErrors && e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
				continue
			}
			d := packageError(root, e)
			if key := d.String(); !seen[key] {
				seen[key] = true
				list = append(list, d)
			}
		}
	}
	if len(list) > 0 {
		list.Sort()
		return nil, nil, list
	}
	return pkgs, pp.syntax(), nil
}

// packageError turns a go/packages error, positioned as "file:line:col"
// (or less), into a diagnostic with a project-relative file.
func packageError(root string, e packages.Error) diag.Diagnostic {
	d := diag.Diagnostic{Message: e.Msg}
	pos := e.Pos
	if pos == "" || pos == "-" {
		return d
	}
	// The file name may itself hold colons; the numbers are at the end.
	parts := strings.Split(pos, ":")
	nums := []int{}
	for len(parts) > 1 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil || len(nums) == 2 {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	d.File = rel(root, strings.Join(parts, ":"))
	if len(nums) > 0 {
		d.Line = nums[0]
	}
	if len(nums) > 1 {
		d.Column = nums[1]
	}
	return d
}
