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
	Modules []Module // the Go FTL modules, by name
	// Schema holds the realm (not external) and, where the scan includes
	// them, the realms it calls, each an external realm.
	Schema *schema.Schema
	Notes  []string // modules skipped, and why
	// Warnings are positioned messages that do not stop the scan, each
	// starting "warning: ": about the source (an ftl tag FTL ignores), and
	// a realm pinned but never called (at its entry in ftl-project.toml).
	Warnings diag.List
	// Uses is, for each realm the code calls or whose types it names,
	// what it uses of it; sorted by realm.
	Uses []RealmUse
	// CalledBy lists, by realm, the project's verbs that call it
	// ("module.verb", sorted).
	CalledBy map[string][]string
}

// RealmUse is what the code uses of one pinned realm: the verbs it calls
// and the types it names, as refs into that realm.
type RealmUse struct {
	Realm string
	Verbs []*schema.Ref
	Types []*schema.Ref
}

// Scan finds the project holding cfg.Dir, loads its Go FTL modules and
// returns the realm's public schema, with what the code uses of the realms
// it calls (see Export). Problems with the source are returned together as
// a diag.List.
func Scan(ctx context.Context, cfg Config) (*Result, error) {
	p, err := findProject(cfg.Dir)
	if err != nil {
		return nil, err
	}
	return scanProject(ctx, p, cfg.Env, modeExport, nil)
}

// Graph finds the project holding cfg.Dir and returns its whole federated
// schema: one external realm per realm pinned in [realms.egress] (its
// public API as pinned), then the project's own realm with every verb of
// every module, whatever its visibility, and the data they use. A verb
// that calls another realm carries +calls module.verb@realm, and a type of
// another realm used in the realm's own data is a ref module.Name@realm.
// Types are mapped, and checked, as for export; the realm's public API
// still must not expose another realm's types.
func Graph(ctx context.Context, cfg Config) (*Result, error) {
	p, err := findProject(cfg.Dir)
	if err != nil {
		return nil, err
	}
	return scanProject(ctx, p, cfg.Env, modeGraph, nil)
}

// mode is what a scan builds.
type mode int

const (
	// modeExport builds the public API (the realm-exported verbs and what
	// they reach) and the calling schema: what the code uses of each realm
	// it calls.
	modeExport mode = iota
	// modeGraph builds every verb and what it reaches, with the realms
	// pinned.
	modeGraph
)

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
func scanProject(ctx context.Context, p *project.Project, env []string, m mode, encode func(*schema.Schema) error) (*Result, error) {
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
	// The pinned realms are read only when the code uses one (or for the
	// graph, which shows them all): export of a realm that calls none
	// never touches the cache or git.
	var ft *foreignTypes
	var uses *usage
	if m == modeGraph || ix.usesRealms {
		if ft, err = loadForeign(ctx, p); err != nil {
			return nil, err
		}
		uses = ix.foreignUsage(ft)
		ix.calls = uses.calls
	}
	phases := exportPhases(ix)
	if m == modeGraph {
		phases = graphPhases(ix, ft)
	}
	decls, diags := build(ix, phases, runtime.GOMAXPROCS(0))
	if diags = append(ix.diags, diags...); len(diags) == 0 {
		diags = checkVariantNames(decls)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	s := assemble(ix, p, mods, decls)
	res := &Result{Project: p, Modules: mods, Schema: s, Notes: notes, Warnings: ix.warns}
	if ft != nil {
		res.Warnings = append(res.Warnings, uses.neverCalled(p, ft)...)
		res.Uses = uses.realmUses(ft)
		res.CalledBy = ix.calledBy()
		switch m {
		case modeGraph:
			s.Realms = append(ft.externalRealms(), s.Realms...)
		default:
			s.Realms = append(s.Realms, uses.callingRealms(ft)...)
		}
	}
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
	return res, nil
}
