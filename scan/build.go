package scan

import (
	"cmp"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// builder turns verbs, and the types they reach, into schema decls. Several
// builders (workers) share one closure: the first to reach a type claims
// and builds its decl, the others only refer to it, so no builder ever
// waits for another.
type builder struct {
	*index
	all   *closure
	verbs map[string][]*schema.Decl // module name -> verbs
	diags diag.List

	// Memos: a realm repeats the same few names (ID, Amount) and files
	// many times, and converting them is much of the cost of a decl.
	uppers, lowers map[string]string
	file           *token.File // of the last position: the next is likely in it too
	name, relName  string      // the last position's file name, and relative to the root
	positions      []schema.Position
}

// closure is every decl reached so far.
type closure struct {
	mu    sync.Mutex
	decls map[*types.TypeName]*built
}

type built struct {
	module string
	decl   *schema.Decl // nil while being built, and when it failed
	failed bool
}

// build builds the decls of the realm's verbs and of every type they reach,
// with workers builders, and returns them by module with the problems
// found.
//
// A decl's problems are reported with the path of the first verb to reach
// it, which only a single builder visiting the verbs in order makes
// deterministic. Since a realm that exports cleanly has no such messages,
// the workers run in parallel, and only when they found problems does a
// serial run, in order, produce the messages reported.
func build(ix *index, workers int) (map[string][]*schema.Decl, diag.List) {
	// Verbs go by module, then name, the order that decides the paths in
	// messages.
	slices.SortFunc(ix.verbs, func(x, y *verbDecl) int {
		return cmp.Or(strings.Compare(x.pkg.module.Name, y.pkg.module.Name), cmp.Compare(x.obj.Name(), y.obj.Name()), cmp.Compare(x.pos, y.pos))
	})
	workers = max(1, min(workers, len(ix.verbs)))
	all := &closure{decls: map[*types.TypeName]*built{}}
	bs := make([]*builder, workers)
	var wg sync.WaitGroup
	for w := range bs {
		b := &builder{index: ix, all: all, verbs: map[string][]*schema.Decl{},
			uppers: map[string]string{}, lowers: map[string]string{}}
		bs[w] = b
		wg.Go(func() {
			for i := w; i < len(ix.verbs); i += workers {
				b.addVerb(ix.verbs[i])
			}
		})
	}
	wg.Wait()
	var diags diag.List
	for _, b := range bs {
		diags = append(diags, b.diags...)
	}
	if len(diags) > 0 && workers > 1 {
		return build(ix, 1)
	}
	decls := map[string][]*schema.Decl{}
	for _, bd := range all.decls {
		if bd.decl != nil {
			decls[bd.module] = append(decls[bd.module], bd.decl)
		}
	}
	for _, b := range bs {
		for m, verbs := range b.verbs {
			decls[m] = append(decls[m], verbs...)
		}
	}
	return decls, diags
}

// ensureDecl builds the decl of a realm type unless some builder has
// claimed it (it is built, or being built: a type may refer to itself). It
// reports false when the decl is known to have failed.
func (b *builder) ensureDecl(obj *types.TypeName, tr trail) bool {
	c := b.all
	c.mu.Lock()
	if bd, ok := c.decls[obj]; ok {
		failed := bd.failed
		c.mu.Unlock()
		return !failed
	}
	bd := &built{module: b.moduleOf(obj.Pkg().Path()).Name}
	c.decls[obj] = bd
	c.mu.Unlock()
	d := b.buildDecl(obj, tr)
	c.mu.Lock()
	bd.decl, bd.failed = d, d == nil
	c.mu.Unlock()
	return d != nil
}

// errorf records a problem found while building.
func (b *builder) errorf(pos token.Pos, format string, args ...any) {
	b.diags = append(b.diags, b.index.diagnostic(pos, format, args...))
}

// position is pos as a schema position, the file relative to the root.
func (b *builder) position(pos token.Pos) *schema.Position {
	if !pos.IsValid() {
		return nil
	}
	if f := b.file; f == nil || int(pos) < f.Base() || int(pos) > f.Base()+f.Size() {
		b.file = b.fset.File(pos)
	}
	p := b.file.Position(pos) // as fset.Position, //line directives applied
	if p.Filename != b.name {
		b.name, b.relName = p.Filename, rel(b.root, p.Filename)
	}
	// Positions, one per decl, field and variant, are allocated in slabs.
	// A slab is never grown (a message must not move once in use): a full
	// one is left to its messages and a new one started.
	if len(b.positions) == cap(b.positions) {
		b.positions = make([]schema.Position, 0, 256)
	}
	b.positions = append(b.positions, schema.Position{Filename: b.relName, Line: int64(p.Line), Column: int64(p.Column)})
	return &b.positions[len(b.positions)-1]
}

// upper is strcase.ToUpperCamel (FTL's decl and variant names), memoized.
func (b *builder) upper(name string) string { return memo(b.uppers, name, strcase.ToUpperCamel) }

// lower is strcase.ToLowerCamel (FTL's verb and field names), memoized.
func (b *builder) lower(name string) string { return memo(b.lowers, name, strcase.ToLowerCamel) }

func memo(m map[string]string, key string, f func(string) string) string {
	v, ok := m[key]
	if !ok {
		v = f(key)
		m[key] = v
	}
	return v
}

// declRank orders a module's decls the way FTL's schema printer does, so
// that the file and the printed schema list them alike.
var declRank = map[string]int{"typealias": 1, "enum": 2, "data": 3, "verb": 4}

// assemble makes the realm: one module per FTL module with anything in the
// API, modules by name, and in each the decls by kind (typealiases, enums,
// data, verbs) and then by name. Neither depends on where in the source a
// declaration is, so moving code between files changes only positions.
func assemble(ix *index, p *project.Project, mods []Module, byModule map[string][]*schema.Decl) *schema.Schema {
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
		sortDecls(decls)
		doc, pos := ix.moduleDoc(&mods[i])
		realm.Modules = append(realm.Modules, &schema.Module{Pos: pos, Comments: doc, Name: mods[i].Name, Decls: decls})
	}
	return &schema.Schema{Realms: []*schema.Realm{realm}}
}

// sortDecls sorts decls by kind, name and position, the keys computed
// once per decl.
func sortDecls(decls []*schema.Decl) {
	type keyed struct {
		rank int
		name string
		pos  *schema.Position
		decl *schema.Decl
	}
	keys := make([]keyed, len(decls))
	for i, d := range decls {
		keys[i] = keyed{declRank[schema.DeclKind(d)], schema.DeclName(d), schema.DeclPos(d), d}
	}
	slices.SortFunc(keys, func(x, y keyed) int {
		return cmp.Or(cmp.Compare(x.rank, y.rank), strings.Compare(x.name, y.name), comparePos(x.pos, y.pos))
	})
	for i, k := range keys {
		decls[i] = k.decl
	}
}

func comparePos(a, b *schema.Position) int {
	return cmp.Or(strings.Compare(a.GetFilename(), b.GetFilename()), cmp.Compare(a.GetLine(), b.GetLine()), cmp.Compare(a.GetColumn(), b.GetColumn()))
}
