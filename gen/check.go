package gen

import (
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/tarjan"
)

// check rejects what Go cannot express across the realms generated
// together, so that gen never emits code that does not compile. Each
// realm's schema has passed schema.Check, which refuses all of it within
// one schema; these are the guards for types that refer across pinned
// realms. Each check reports every problem it finds; later checks run only
// on schemas that passed the earlier ones, because they assume, e.g., that
// aliases are not cyclic.
func (u *universe) check() error {
	for _, c := range []func(){u.checkImportCycles, u.checkAliasCycles, u.checkValueRecursion, u.checkComparable} {
		c()
		if len(u.errs) > 0 {
			return u.sorted()
		}
	}
	return nil
}

func (u *universe) allDecls(f func(*declInfo)) {
	for _, r := range u.realms {
		for _, m := range r.modules {
			for _, d := range m.decls {
				f(d)
			}
			for _, d := range m.verbs {
				f(d)
			}
		}
	}
}

// imports returns the packages m's generated code imports, sorted by path.
func (m *moduleInfo) imports() []*moduleInfo {
	set := map[*moduleInfo]bool{}
	for _, d := range append(slices.Clone(m.decls), m.verbs...) {
		for _, t := range d.typesOf() {
			walk(t, func(t *gtype) {
				if t.kind == tDecl && t.decl.mod != m {
					set[t.decl.mod] = true
				}
			})
		}
	}
	out := make([]*moduleInfo, 0, len(set))
	for im := range set {
		out = append(out, im)
	}
	slices.SortFunc(out, func(a, b *moduleInfo) int { return strings.Compare(a.path, b.path) })
	return out
}

// checkImportCycles reports modules whose types refer to each other in a
// cycle: FTL allows it, Go packages cannot import each other in a cycle. A
// realm written in Go with FTL cannot have such a cycle either, since every
// FTL Go module is its own Go package.
func (u *universe) checkImportCycles() {
	var nodes []*moduleInfo
	for _, r := range u.realms {
		nodes = append(nodes, r.modules...)
	}
	edges := map[*moduleInfo][]*moduleInfo{}
	for _, m := range nodes {
		edges[m] = m.imports()
	}
	for _, scc := range tarjan.Components(nodes, func(m *moduleInfo) []*moduleInfo { return edges[m] }) {
		if len(scc) == 1 && !slices.Contains(edges[scc[0]], scc[0]) {
			continue
		}
		names := make([]string, len(scc))
		for i, m := range scc {
			names[i] = m.realm.name + "/" + m.name
		}
		slices.Sort(names)
		first := scc[0]
		for _, m := range scc {
			if m.path < first.path {
				first = m
			}
		}
		u.errs.Add(first.realm.file, 0, 0, "realm %s: modules %s refer to each other's types in a cycle, which Go packages cannot do (an FTL realm written in Go cannot have this either); move the shared types into one module", first.realm.name, strings.Join(names, ", "))
	}
}

// checkAliasCycles reports type aliases that refer to themselves through
// other aliases: Go rejects `type A = []A`.
func (u *universe) checkAliasCycles() {
	var nodes []*declInfo
	u.allDecls(func(d *declInfo) {
		if d.kind == kindAlias {
			nodes = append(nodes, d)
		}
	})
	next := func(d *declInfo) []*declInfo {
		var out []*declInfo
		walk(d.aliased, func(t *gtype) {
			if t.kind == tDecl && t.decl.kind == kindAlias {
				out = append(out, t.decl)
			}
		})
		return out
	}
	u.reportCycles(nodes, next, "type aliases refer to themselves", "a Go type alias cannot refer to itself")
}

// valueOf calls f with every data type t holds by value: not behind an
// array, a map, a pointer or an interface. Aliases are looked through.
func valueOf(t *gtype, byValue map[*declInfo][]bool, f func(*declInfo)) {
	switch t.kind {
	case tOptional:
		if !t.ref {
			valueOf(t.elem, byValue, f)
		}
	case tDecl:
		switch t.decl.kind {
		case kindAlias:
			valueOf(t.decl.aliased, byValue, f)
		case kindData:
			f(t.decl)
			for i, a := range t.args {
				if byValue[t.decl][i] {
					valueOf(a, byValue, f)
				}
			}
		}
	}
}

// paramsByValue computes, for each generic data type, which of its type
// parameters it holds by value (directly or through other generic types).
func (u *universe) paramsByValue() map[*declInfo][]bool {
	byValue := map[*declInfo][]bool{}
	var generic []*declInfo
	u.allDecls(func(d *declInfo) {
		if d.kind == kindData && len(d.params) > 0 {
			byValue[d] = make([]bool, len(d.params))
			generic = append(generic, d)
		}
	})
	var mark func(d *declInfo, t *gtype) bool
	mark = func(d *declInfo, t *gtype) (changed bool) {
		switch t.kind {
		case tParam:
			if !byValue[d][t.param] {
				byValue[d][t.param] = true
				return true
			}
		case tOptional:
			if !t.ref {
				return mark(d, t.elem)
			}
		case tDecl:
			for i, a := range t.args {
				if byValue[t.decl][i] && mark(d, a) {
					changed = true
				}
			}
		}
		return changed
	}
	for changed := true; changed; {
		changed = false
		for _, d := range generic {
			for _, f := range d.fields {
				if mark(d, f) {
					changed = true
				}
			}
		}
	}
	return byValue
}

// checkValueRecursion reports data types that contain themselves by value
// in Go. schema.Validate refuses such cycles in one schema, and optionals
// on a cycle are pointers (schema.ByReference), so this is the guard for
// what one schema cannot see: a cycle through two pinned realms.
func (u *universe) checkValueRecursion() {
	byValue := u.paramsByValue()
	var nodes []*declInfo
	u.allDecls(func(d *declInfo) {
		if d.kind == kindData {
			nodes = append(nodes, d)
		}
	})
	next := func(d *declInfo) []*declInfo {
		var out []*declInfo
		for _, f := range d.fields {
			valueOf(f, byValue, func(e *declInfo) { out = append(out, e) })
		}
		return out
	}
	u.reportCycles(nodes, next, "data types contain themselves by value", "a Go struct cannot contain itself; hold it in an array or a map instead")
}

// reportCycles reports each cycle of the graph once, naming its members.
func (u *universe) reportCycles(nodes []*declInfo, next func(*declInfo) []*declInfo, what, why string) {
	for _, scc := range tarjan.Components(nodes, next) {
		if len(scc) == 1 && !slices.Contains(next(scc[0]), scc[0]) {
			continue
		}
		names := make([]string, len(scc))
		for i, d := range scc {
			names[i] = d.mod.realm.name + "/" + d.mod.name + "." + d.name
		}
		slices.Sort(names)
		first := scc[0]
		for _, d := range scc {
			if d.mod.realm.name+"/"+d.mod.name+"."+d.name == names[0] {
				first = d
			}
		}
		u.errorf(first, "", "%s in a cycle (%s): %s", what, strings.Join(names, ", "), why)
	}
}
