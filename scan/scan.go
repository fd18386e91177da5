package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Config says which project to scan and how to run the go command.
type Config struct {
	// Dir is a directory inside the project (default: the working
	// directory). The project is the nearest ftl-project.toml at or above
	// it, or $FTL_CONFIG.
	Dir string
	// Env is the go command's environment (default: the process's). GOWORK
	// is always replaced by the scanner's own go.work.
	Env []string
}

// Result is a scanned realm.
type Result struct {
	Project *project.Project
	Modules []Module       // the Go FTL modules, by name
	Schema  *schema.Schema // one realm, not external
	Notes   []string       // modules skipped, and why
	// Warnings are positioned messages about the source that do not stop
	// the export (an ftl tag FTL ignores), each starting "warning: ".
	Warnings diag.List
}

// Scan finds the project holding cfg.Dir, loads its Go FTL modules and
// returns the realm's public schema. Problems with the source are returned
// together as a diag.List.
func Scan(ctx context.Context, cfg Config) (*Result, error) {
	p, err := findProject(cfg.Dir)
	if err != nil {
		return nil, err
	}
	return scanProject(ctx, p, cfg.Env, nil)
}

func findProject(dir string) (*project.Project, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = wd
	}
	p, err := project.Find(dir)
	if err != nil {
		return nil, err
	}
	if name := p.Name(); !schema.ValidIdentifier(name) {
		what := fmt.Sprintf("invalid realm name %q: want letters, digits and underscores, not starting with a digit", name)
		if name == "" {
			what = `no realm name: want name = "<realm>"`
		}
		d := p.Errorf([]string{"name"}, "%s", what)
		d.File = rel(p.Root, p.Path)
		return nil, diag.List{d}
	}
	return p, nil
}

// scanProject scans p. With encode set it also encodes the schema,
// concurrently with validation: after loading, the two are most of the
// work.
func scanProject(ctx context.Context, p *project.Project, env []string, encode func(*schema.Schema) error) (*Result, error) {
	mods, notes, err := FindModules(p)
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, errors.New("no Go FTL modules (directories with " + ModuleFile + ") in " + p.Root)
	}
	pkgs, syntax, err := load(ctx, p.Root, mods, env)
	if err != nil {
		return nil, err
	}
	ix := newIndex(p.Root, mods, pkgs, syntax)
	decls, diags := build(ix, runtime.GOMAXPROCS(0))
	if diags = append(ix.diags, diags...); len(diags) == 0 {
		diags = checkVariantNames(decls)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	s := assemble(ix, p, mods, decls)
	var merr error
	var wg sync.WaitGroup
	if encode != nil {
		wg.Go(func() { merr = encode(s) })
	}
	verr := schema.Validate(s)
	wg.Wait()
	if err := cmp.Or(verr, merr); err != nil {
		return nil, err
	}
	return &Result{Project: p, Modules: mods, Schema: s, Notes: notes, Warnings: ix.warns}, nil
}
