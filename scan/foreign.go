package scan

import (
	"cmp"
	"context"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// foreignTypes is what the scanner knows of the realms the project pins in
// [realms.egress]: each one's schema as pinned, and the Go names gen gave
// its client packages, by which the code's uses of those packages map back
// to the schema.
type foreignTypes struct {
	realms   map[string]*pinnedRealm      // by local name
	packages map[string]*gen.PackageNames // by import path
	order    []string                     // local names, sorted as p.Realms() returns them
	unpinned map[string]bool              // realms whose packages are used but not pinned (reported once)
}

// pinnedRealm is a pinned realm: its entry, whose Name is the local name
// ftl-project.toml and the import paths have, and its public API, the one
// internal realm of its schema file.
type pinnedRealm struct {
	pin project.Realm
	api *schema.Realm
}

// loadForeign reads the schema of every realm p pins in [realms.egress],
// from the cache or with git (as gen does), and works out gen's names for
// their packages.
func loadForeign(ctx context.Context, p *project.Project) (*foreignTypes, error) {
	ft := &foreignTypes{realms: map[string]*pinnedRealm{}, packages: map[string]*gen.PackageNames{}, unpinned: map[string]bool{}}
	var realms []gen.Realm
	var errs diag.List
	for _, r := range p.Realms() {
		sf, err := p.PinnedSchema(ctx, r)
		if err != nil {
			errs = diag.Append(errs, err)
			continue
		}
		ft.realms[r.Name] = &pinnedRealm{pin: r, api: sf.Realm}
		ft.order = append(ft.order, r.Name)
		realms = append(realms, gen.Realm{Name: r.Name, Schema: sf.Schema, File: rel(p.Root, sf.CachePath),
			Source: gen.SourceInfo{Repo: r.GitRepo, Commit: r.GitCommit, Path: r.GitPath}})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	names, err := gen.Names(realms...)
	if err != nil {
		return nil, err
	}
	for i := range names {
		ft.packages[names[i].Path] = &names[i]
	}
	return ft, nil
}

// foreignRef is what the code refers to in another realm, as a schema ref
// (module, name, realm), and whether it is a verb or a type.
type foreignRef struct {
	realm, module, name string
	verb                bool
}

func (r foreignRef) ref() *schema.Ref {
	return &schema.Ref{Realm: r.realm, Module: r.module, Name: r.name}
}

func compareRefs(a, b foreignRef) int {
	return cmp.Or(strings.Compare(a.realm, b.realm), strings.Compare(a.module, b.module), strings.Compare(a.name, b.name))
}

// resolve maps a use of a generated package to what it refers to in the
// pinned schema. ok is false for uses that are no verb or type (NewClient,
// a method of a generated type); a use the pinned schema cannot explain
// (generated code older than the pin, a realm not pinned) is reported.
func (ix *index) resolve(ft *foreignTypes, u use) (foreignRef, bool) {
	path := u.obj.Pkg().Path()
	realm, _ := externalRealm(path)
	pn := ft.packages[path]
	if pn == nil {
		switch {
		case ft.realms[realm] == nil && !ft.unpinned[realm]:
			ft.unpinned[realm] = true
			ix.errorf(u.pos, "package %s is a client of realm %s, which ftl-project.toml does not pin: pin it with `ftl-gen-realm realm add %s`, or stop using it", path, realm, realm)
		case ft.realms[realm] != nil:
			ix.errorf(u.pos, "package %s is not a module of realm %s as pinned at %s: run `go generate` to regenerate the clients", path, realm, ft.realms[realm].pin.ShortCommit())
		}
		return foreignRef{}, false
	}
	ref := foreignRef{realm: pn.Realm, module: pn.Module}
	name := u.obj.Name()
	switch o := u.obj.(type) {
	case *types.Func:
		recv := o.Signature().Recv()
		switch {
		case recv == nil && name == pn.NewClient:
			return foreignRef{}, false
		case recv == nil:
			ref.name, ref.verb = pn.Verbs[name], true
		default:
			// A method of the Client interface (or of an interface
			// embedding it: the method object is the same).
			n, ok := types.Unalias(recv.Type()).(*types.Named)
			if !ok || n.Obj().Pkg() != o.Pkg() || n.Obj().Name() != pn.Client {
				return foreignRef{}, false
			}
			ref.name, ref.verb = pn.Verbs[name], true
		}
	case *types.Var:
		ref.name, ref.verb = pn.VerbVars[name], true
	case *types.TypeName:
		if name == pn.Client {
			return foreignRef{}, false // the client, not a type of the schema
		}
		ref.name = pn.Types[name]
		if ref.name == "" {
			ref.name = pn.VariantTypes[name]
		}
	case *types.Const:
		// An enum's constant: a use of the enum.
		n, ok := types.Unalias(o.Type()).(*types.Named)
		if !ok || n.Obj().Pkg() != o.Pkg() {
			return foreignRef{}, false
		}
		ref.name = pn.Types[n.Obj().Name()]
		name = n.Obj().Name()
	default:
		return foreignRef{}, false
	}
	if ref.name == "" {
		ix.errorf(u.pos, "%s.%s is not in realm %s as pinned at %s: run `go generate` to regenerate the clients", u.obj.Pkg().Name(), name, ref.realm, ft.realms[ref.realm].pin.ShortCommit())
		return foreignRef{}, false
	}
	return ref, true
}

// usage is what the realm's code uses of the realms it pins.
type usage struct {
	calls map[*types.Func][]foreignRef   // by verb function: the verbs it calls, sorted
	used  map[string]map[foreignRef]bool // by realm: every verb called and type named, anywhere in the code
}

// foreignUsage resolves what the code uses of other realms: for each verb
// the verbs it calls (directly or through helpers of its module), and for
// each pinned realm everything the code calls or names, in any function or
// declaration.
func (ix *index) foreignUsage(ft *foreignTypes) *usage {
	u := &usage{calls: map[*types.Func][]foreignRef{}, used: map[string]map[foreignRef]bool{}}
	memo := map[token.Pos]foreignRef{}
	resolved := func(x use) (foreignRef, bool) {
		if r, ok := memo[x.pos]; ok {
			return r, r.name != ""
		}
		r, ok := ix.resolve(ft, x)
		memo[x.pos] = r
		return r, ok
	}
	note := func(r foreignRef) {
		if u.used[r.realm] == nil {
			u.used[r.realm] = map[foreignRef]bool{}
		}
		u.used[r.realm][r] = true
	}
	// Every function, in source order, so that problems are reported in
	// order and once.
	fns := make([]*types.Func, 0, len(ix.funcs))
	for fn := range ix.funcs {
		fns = append(fns, fn)
	}
	slices.SortFunc(fns, func(a, b *types.Func) int { return cmp.Compare(a.Pos(), b.Pos()) })
	for _, fn := range fns {
		for _, x := range ix.funcs[fn].foreign {
			if r, ok := resolved(x); ok && r.verb {
				note(r)
			}
		}
	}
	slices.SortFunc(ix.foreignTypes, func(a, b use) int { return cmp.Compare(a.pos, b.pos) })
	for _, x := range ix.foreignTypes {
		if r, ok := resolved(x); ok {
			note(r)
		}
	}
	for _, v := range ix.verbs {
		var refs []foreignRef
		for _, x := range ix.reachableUses(v.obj) {
			if r, ok := memo[x.pos]; ok && r.verb && r.name != "" {
				refs = append(refs, r)
			}
		}
		slices.SortFunc(refs, compareRefs)
		if refs = slices.Compact(refs); len(refs) > 0 {
			u.calls[v.obj] = refs
		}
	}
	return u
}

// calledBy lists, by realm, the verbs that call it, as "module.verb".
func (ix *index) calledBy() map[string][]string {
	out := map[string][]string{}
	for _, v := range ix.verbs {
		name := v.pkg.module.Name + "." + strcase.ToLowerCamel(v.name)
		for _, r := range ix.calls[v.obj] {
			if realm := out[r.realm]; len(realm) == 0 || realm[len(realm)-1] != name {
				out[r.realm] = append(realm, name)
			}
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// neverCalled returns a warning for each pinned realm no code calls.
func (u *usage) neverCalled(p *project.Project, ft *foreignTypes) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, name := range ft.order {
		called := false
		for r := range u.used[name] {
			called = called || r.verb
		}
		if !called {
			r := ft.realms[name].pin
			out = append(out, diag.Diagnostic{File: rel(p.Root, p.Path), Line: r.Line, Column: r.Column,
				Message: "warning: realm " + name + " is pinned but never called"})
		}
	}
	return out
}

// callsMetadata is a verb's +calls, or nil.
func callsMetadata(refs []foreignRef) []*schema.Metadata {
	if len(refs) == 0 {
		return nil
	}
	calls := &schema.MetadataCalls{}
	for _, r := range refs {
		calls.Calls = append(calls.Calls, r.ref())
	}
	return []*schema.Metadata{{Value: &schema.Metadata_Calls{Calls: calls}}}
}
