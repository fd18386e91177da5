package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
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
}

// Scan finds the project holding cfg.Dir, loads its Go FTL modules and
// returns the realm's public schema. Problems with the source are returned
// together as a diag.List.
func Scan(ctx context.Context, cfg Config) (*Result, error) {
	p, err := findProject(cfg.Dir)
	if err != nil {
		return nil, err
	}
	res, _, err := scanProject(ctx, p, cfg.Env, "")
	return res, err
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

// scanProject scans p. With out set it also encodes the schema for that
// file, concurrently with validation: after loading, the two are most of
// the work.
func scanProject(ctx context.Context, p *project.Project, env []string, out string) (*Result, []byte, error) {
	mods, notes, err := FindModules(p)
	if err != nil {
		return nil, nil, err
	}
	if len(mods) == 0 {
		return nil, nil, errors.New("no Go FTL modules (directories with " + ModuleFile + ") in " + p.Root)
	}
	pkgs, err := load(ctx, p.Root, mods, env)
	if err != nil {
		return nil, nil, err
	}
	ix := newIndex(p.Root, mods, pkgs)
	b := newBuilder(ix)
	// The order verbs are visited in decides only which path a shared
	// type's problems are reported with; sorting makes that deterministic.
	slices.SortFunc(ix.verbs, func(x, y *verbDecl) int {
		return cmp.Or(strings.Compare(x.pkg.module.Name, y.pkg.module.Name), cmp.Compare(x.obj.Name(), y.obj.Name()), cmp.Compare(x.pos, y.pos))
	})
	for _, v := range ix.verbs {
		b.addVerb(v)
	}
	if len(ix.diags) > 0 {
		ix.diags.Sort()
		return nil, nil, ix.diags
	}
	s := b.schema(p, mods)
	var data []byte
	var merr error
	var wg sync.WaitGroup
	if out != "" {
		wg.Go(func() { data, merr = schema.MarshalFile(out, s) })
	}
	verr := schema.Validate(s)
	wg.Wait()
	if err := cmp.Or(verr, merr); err != nil {
		return nil, nil, err
	}
	return &Result{Project: p, Modules: mods, Schema: s, Notes: notes}, data, nil
}

// declRank orders a module's decls the way FTL's schema printer does, so
// that the file and the printed schema list them alike.
var declRank = map[string]int{"typealias": 1, "enum": 2, "data": 3, "verb": 4}

// schema assembles the realm: one module per FTL module with anything in
// the API, modules by name, and in each the decls by kind (typealiases,
// enums, data, verbs) and then by name. Neither depends on where in the
// source a declaration is, so moving code between files changes only
// positions.
func (b *builder) schema(p *project.Project, mods []Module) *schema.Schema {
	byModule := map[string][]*schema.Decl{}
	for _, bd := range b.decls {
		byModule[bd.module] = append(byModule[bd.module], bd.decl)
	}
	for m, verbs := range b.verbs {
		byModule[m] = append(byModule[m], verbs...)
	}
	line, col := p.Position("name")
	realm := &schema.Realm{
		Pos:  &schema.Position{Filename: rel(p.Root, p.Path), Line: int64(max(line, 1)), Column: int64(max(col, 1))},
		Name: p.Name(),
	}
	for i := range mods {
		decls := byModule[mods[i].Name]
		if len(decls) == 0 {
			continue
		}
		slices.SortFunc(decls, func(x, y *schema.Decl) int {
			return cmp.Or(
				cmp.Compare(declRank[schema.DeclKind(x)], declRank[schema.DeclKind(y)]),
				strings.Compare(schema.DeclName(x), schema.DeclName(y)),
				comparePos(schema.DeclPos(x), schema.DeclPos(y)),
			)
		})
		doc, pos := b.moduleDoc(&mods[i])
		realm.Modules = append(realm.Modules, &schema.Module{Pos: pos, Comments: doc, Name: mods[i].Name, Decls: decls})
	}
	return &schema.Schema{Realms: []*schema.Realm{realm}}
}

func comparePos(a, b *schema.Position) int {
	return cmp.Or(strings.Compare(a.GetFilename(), b.GetFilename()), cmp.Compare(a.GetLine(), b.GetLine()), cmp.Compare(a.GetColumn(), b.GetColumn()))
}
