package scan

import (
	"cmp"
	"go/token"
	"go/types"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	decls map[string][]*schema.Decl // module name -> the decls (verbs too) this builder built
	diags diag.List
	warns diag.List
	// Of the current phase: the visibility of what is built, and how
	// another realm's types map (nil: they are errors).
	vis     schema.Visibility
	foreign *foreignTypes

	// Memos: a realm repeats the same few names (ID, Amount) and files
	// many times, and converting them is much of the cost of a decl.
	uppers, lowers, angles map[string]string
	file                   *token.File // of the last position: the next is likely in it too
	lines                  *fileLines  // file's
	name, relName          string      // the last position's file name, and relative to the root (//line directives)

	allocator
	builts slab[built]
}

// closure is every decl reached so far, by type. Nearly every lookup finds
// a decl already claimed (the types that many verbs share), so it is split
// into shards, each with its own lock (on its own cache line) and a map
// sized up front: the builders seldom contend, and claiming a type
// allocates nothing.
type closure struct {
	seed   maphash.Seed
	shards [64]struct {
		mu sync.Mutex
		m  map[*types.TypeName]*built
		_  [64 - 16]byte
	}
}

func newClosure(n int) *closure {
	c := &closure{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[*types.TypeName]*built, n/len(c.shards)+1)
	}
	return c
}

// claim returns the entry for obj, and whether it is new: then the caller
// builds the decl.
func (c *closure) claim(obj *types.TypeName, fresh func() *built) (*built, bool) {
	sh := &c.shards[maphash.Comparable(c.seed, obj)%uint64(len(c.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if bd, ok := sh.m[obj]; ok {
		return bd, false
	}
	bd := fresh()
	sh.m[obj] = bd
	return bd, true
}

type built struct {
	failed atomic.Bool // the decl could not be built
}

// phase is one pass of the builders: verbs of one visibility, and the
// decls first reached from them, which take that visibility.
type phase struct {
	verbs []*verbDecl
	vis   schema.Visibility
	// foreign maps the types of other realms (ftl/realm/...) to refs into
	// them; nil where another realm's type is an error (a realm's API must
	// not expose one).
	foreign *foreignTypes
}

// exportPhases is what export builds: the realm-exported verbs.
func exportPhases(ix *index) []phase {
	return []phase{{verbs: ix.verbsOf(verbRealm), vis: schema.Visibility_VISIBILITY_SCOPE_REALM}}
}

// graphPhases is what graph builds: every verb, the realm-exported ones
// first (what they reach is the public API, held to its rules), then the
// module-exported ones, then the rest; outside the API, other realms'
// types are refs into them.
func graphPhases(ix *index, ft *foreignTypes) []phase {
	return []phase{
		{verbs: ix.verbsOf(verbRealm), vis: schema.Visibility_VISIBILITY_SCOPE_REALM},
		{verbs: ix.verbsOf(verbExport), vis: schema.Visibility_VISIBILITY_SCOPE_MODULE, foreign: ft},
		{verbs: ix.verbsOf(verbInternal), vis: schema.Visibility_VISIBILITY_SCOPE_NONE, foreign: ft},
	}
}

// verbsOf returns the verbs of one visibility.
func (ix *index) verbsOf(vis string) []*verbDecl {
	var out []*verbDecl
	for _, v := range ix.verbs {
		if v.vis == vis {
			out = append(out, v)
		}
	}
	return out
}

// build builds the decls of the phases' verbs and of every type they
// reach, with workers builders, and returns them by module with the
// problems found. The phases run in order and share one closure, so a decl
// takes the visibility of the first phase that reaches it.
//
// A decl's problems are reported with the path of the first verb to reach
// it, which only a single builder visiting the verbs in order makes
// deterministic. Since a realm that exports cleanly has no such messages,
// the workers run in parallel, and only when they found problems does a
// serial run, in order, produce the messages reported.
func build(ix *index, phases []phase, workers int) (map[string][]*schema.Decl, diag.List) {
	most := 0
	for _, ph := range phases {
		// Verbs go by module, then name, the order that decides the paths
		// in messages.
		slices.SortFunc(ph.verbs, func(x, y *verbDecl) int {
			return cmp.Or(strings.Compare(x.pkg.module.Name, y.pkg.module.Name), cmp.Compare(x.obj.Name(), y.obj.Name()), cmp.Compare(x.pos, y.pos))
		})
		most = max(most, len(ph.verbs))
	}
	workers = max(1, min(workers, most))
	all := newClosure(len(ix.specs))
	bs := make([]*builder, workers)
	for w := range bs {
		bs[w] = &builder{index: ix, all: all, decls: map[string][]*schema.Decl{},
			uppers: map[string]string{}, lowers: map[string]string{}, angles: map[string]string{}}
	}
	for _, ph := range phases {
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, b := range bs {
			b.vis, b.foreign = ph.vis, ph.foreign
			// Each takes runs of verbs, so that the builders are mostly in
			// different files (token.File locks each lookup of a position)
			// and modules.
			wg.Go(func() {
				for {
					i := int(next.Add(verbRun)) - verbRun
					if i >= len(ph.verbs) {
						return
					}
					for _, v := range ph.verbs[i:min(i+verbRun, len(ph.verbs))] {
						b.addVerb(v)
					}
				}
			})
		}
		wg.Wait()
	}
	var diags diag.List
	ix.warns = nil
	for _, b := range bs {
		diags = append(diags, b.diags...)
		ix.warns = append(ix.warns, b.warns...)
	}
	if len(diags) > 0 && workers > 1 {
		return build(ix, phases, 1)
	}
	ix.warns.Sort()
	// In no particular order: assemble sorts each module's decls.
	decls := bs[0].decls
	for _, b := range bs[1:] {
		for m, ds := range b.decls {
			decls[m] = append(decls[m], ds...)
		}
	}
	return decls, diags
}

// verbRun is how many verbs a builder takes at a time.
const verbRun = 16

// ensureDecl builds the decl of a realm type unless some builder has
// claimed it (it is built, or being built: a type may refer to itself). It
// reports false when the decl is known to have failed.
func (b *builder) ensureDecl(obj *types.TypeName, tr trail) bool {
	bd, mine := b.all.claim(obj, b.builts.alloc)
	if !mine {
		return !bd.failed.Load()
	}
	d := b.buildDecl(obj, tr)
	if d == nil {
		bd.failed.Store(true)
		return false
	}
	m := b.moduleOf(obj.Pkg().Path()).Name
	b.decls[m] = append(b.decls[m], d)
	return true
}

// errorf records a problem found while building.
func (b *builder) errorf(pos token.Pos, format string, args ...any) {
	b.diags = append(b.diags, b.index.diagnostic(pos, format, args...))
}

// warnf records something the user should know that does not stop the
// export: each decl is built once, so each warning is found once.
func (b *builder) warnf(pos token.Pos, format string, args ...any) {
	b.warns = append(b.warns, b.index.diagnostic(pos, "warning: "+format, args...))
}

// position is pos as a schema position, the file relative to the root.
func (b *builder) position(pos token.Pos) *schema.Position {
	if !pos.IsValid() {
		return nil
	}
	if f := b.file; f == nil || int(pos) < f.Base() || int(pos) > f.Base()+f.Size() {
		b.file = b.fset.File(pos)
		b.lines = b.files[b.file]
	}
	at := b.positions.alloc()
	if fl := b.lines; fl != nil && fl.lines != nil {
		// As token.File.Position finds it, without the lock it takes for
		// every lookup (which the builders would contend for).
		offset := int(pos) - b.file.Base()
		i, j := 0, len(fl.lines) // the line is the last that starts at or before offset
		for i < j {
			if h := int(uint(i+j) >> 1); fl.lines[h] <= offset {
				i = h + 1
			} else {
				j = h
			}
		}
		at.Filename, at.Line, at.Column = fl.rel, int64(i), int64(offset-fl.lines[i-1]+1)
		return at
	}
	p := b.file.Position(pos) // as fset.Position, //line directives applied
	if p.Filename != b.name {
		b.name, b.relName = p.Filename, rel(b.root, p.Filename)
	}
	at.Filename, at.Line, at.Column = b.relName, int64(p.Line), int64(p.Column)
	return at
}

// upper is strcase.ToUpperCamel (FTL's decl and variant names), memoized.
func (b *builder) upper(name string) string { return memo(b.uppers, name, strcase.ToUpperCamel) }

// angled is "<name>", for the trail of a type argument, memoized.
func (b *builder) angled(name string) string {
	return memo(b.angles, name, func(n string) string { return "<" + n + ">" })
}

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
// that the file and the printed schema list them alike: typealiases, enums,
// data, verbs.
func declRank(d *schema.Decl) int {
	switch d.GetValue().(type) {
	case *schema.Decl_TypeAlias:
		return 1
	case *schema.Decl_Enum:
		return 2
	case *schema.Decl_Data:
		return 3
	case *schema.Decl_Verb:
		return 4
	}
	return 0
}

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
		doc, pos := ix.moduleDoc(&mods[i])
		realm.Modules = append(realm.Modules, &schema.Module{Pos: pos, Comments: doc, Name: mods[i].Name, Decls: decls})
	}
	// The modules' decls are sorted in parallel: for a large realm, this
	// is the one step after the load that would otherwise leave cores idle.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(realm.Modules)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(realm.Modules); i = int(next.Add(1)) - 1 {
				sortDecls(realm.Modules[i].Decls)
			}
		})
	}
	wg.Wait()
	return &schema.Schema{Realms: []*schema.Realm{realm}}
}

// sortDecls sorts decls by kind, name and position, the keys computed
// once per decl. What is sorted is indices, which hold no pointers: moving
// pointers costs a write barrier each while the collector marks.
func sortDecls(decls []*schema.Decl) {
	type key struct {
		rank int
		name string
		pos  *schema.Position
	}
	keys := make([]key, len(decls))
	order := make([]int32, len(decls))
	for i, d := range decls {
		keys[i] = key{declRank(d), schema.DeclName(d), schema.DeclPos(d)}
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		x, y := &keys[i], &keys[j]
		return cmp.Or(cmp.Compare(x.rank, y.rank), strings.Compare(x.name, y.name), comparePos(x.pos, y.pos))
	})
	sorted := slices.Clone(decls)
	for i, k := range order {
		decls[i] = sorted[k]
	}
}

func comparePos(a, b *schema.Position) int {
	return cmp.Or(strings.Compare(a.GetFilename(), b.GetFilename()), cmp.Compare(a.GetLine(), b.GetLine()), cmp.Compare(a.GetColumn(), b.GetColumn()))
}
