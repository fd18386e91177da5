package schema

import (
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/tarjan"
)

// A data type may contain itself, as FTL allows: `data Node { next Node? }`,
// a tree whose children are a list, a map of comments to their replies, or
// a cycle of several types. What it may not do is contain itself by value
// only (`data Node { next Node }`): no value of it is finite, so none can
// be written, in JSON or in any language.
//
// A language that holds struct fields inline (Go) must hold a value behind
// a reference somewhere on each such cycle. Lists and maps already are
// references; an optional is not, unless the generator makes it one. The
// optionals it must make references are ByReference's answer, computed
// here next to the check so that the rule has one home.

// recursion is the containment graph of a schema's data types: an edge
// D -> E for each way a value of D holds a value of E inline, with the
// optionals the way passes through.
type recursion struct {
	v       *validator
	realmOf map[*Decl]*realmInfo
	where   map[*Decl]scope
	module  map[*Decl]string
	order   []*Decl // every data decl, in schema order
	params  map[*Decl][]paramUse
	edges   map[*Decl][]recEdge
}

// paramUse says how a generic data type holds one of its type parameters
// inline: by value along some path (pure), and through which optionals
// along the others.
type paramUse struct {
	pure bool
	opts []*Optional // a set, in first-found order
}

// recEdge is one way of holding `to` inline. outer lists optionals on the
// way itself, in order; inner the optionals inside generic types passed
// through (paramUse.opts, a union over several ways). Both empty: by value.
type recEdge struct {
	to    *Decl
	outer []*Optional
	inner []*Optional
}

func (e recEdge) byValue() bool { return len(e.outer) == 0 && len(e.inner) == 0 }

// ByReference returns the optionals of s through which a data type holds
// a value of its own cycle: a code generator for a language that holds
// struct fields inline must make each of them a reference (gen makes them
// Go pointers). Every other optional can be held by value. s should have
// passed Validate; refs that do not resolve are ignored.
func ByReference(s *Schema) map[*Optional]bool {
	v := &validator{realms: map[string]*realmInfo{}, root: s.GetPos()}
	v.index(s)
	rec := v.recursion(s)
	out := map[*Optional]bool{}
	rec.byReference(func(o *Optional) { out[o] = true })
	return out
}

// checkRecursion reports data types that contain themselves by value.
func (v *validator) checkRecursion(s *Schema) {
	rec := v.recursion(s)
	pure := func(d *Decl) []*Decl {
		var out []*Decl
		for _, e := range rec.edges[d] {
			if e.byValue() {
				out = append(out, e.to)
			}
		}
		return out
	}
	for _, scc := range tarjan.Components(rec.order, pure) {
		if len(scc) == 1 && !slices.Contains(pure(scc[0]), scc[0]) {
			continue
		}
		first := scc[0]
		names := make([]string, len(scc))
		for i, d := range scc {
			names[i] = rec.name(d)
			if names[i] < rec.name(first) {
				first = d
			}
		}
		slices.Sort(names)
		what := "data " + rec.name(first) + " contains itself by value"
		if len(scc) > 1 {
			what = "data types contain each other by value in a cycle (" + strings.Join(names, ", ") + ")"
		}
		v.errorf(rec.where[first], "%s: no value of it is finite; make a field on the cycle optional, a list or a map", what)
	}
}

// name is module.Name of d, with @realm when d is in an external realm.
func (rec *recursion) name(d *Decl) string {
	n := show(rec.module[d] + "." + DeclName(d))
	if ri := rec.realmOf[d]; ri.realm.GetExternal() {
		n += "@" + show(ri.realm.GetName())
	}
	return n
}

// byReference calls f with each optional that must be a reference: on
// every edge between two types of one cycle, the first optional of the way
// itself, else (the way runs through a generic type's own optionals) all
// of those.
func (rec *recursion) byReference(f func(*Optional)) {
	all := func(d *Decl) []*Decl {
		var out []*Decl
		for _, e := range rec.edges[d] {
			out = append(out, e.to)
		}
		return out
	}
	for _, scc := range tarjan.Components(rec.order, all) {
		in := map[*Decl]bool{}
		for _, d := range scc {
			in[d] = true
		}
		for _, d := range scc {
			for _, e := range rec.edges[d] {
				switch {
				case !in[e.to]:
				case len(e.outer) > 0:
					f(e.outer[0])
				default:
					for _, o := range e.inner {
						f(o)
					}
				}
			}
		}
	}
}

// recursion builds the containment graph of every realm of s.
func (v *validator) recursion(s *Schema) *recursion {
	rec := &recursion{v: v, realmOf: map[*Decl]*realmInfo{}, where: map[*Decl]scope{}, module: map[*Decl]string{}, params: map[*Decl][]paramUse{}, edges: map[*Decl][]recEdge{}}
	for _, r := range s.GetRealms() {
		ri := v.realms[r.GetName()]
		if ri == nil || ri.realm != r {
			continue
		}
		c := scope{realm: ri, pos: v.root}.in(r.GetPos(), named("realm", r.GetName()))
		for _, m := range r.GetModules() {
			decls := ri.modules[m.GetName()]
			mc := c.in(m.GetPos(), named("module", m.GetName()))
			for _, d := range m.GetDecls() {
				if d.GetData() == nil || decls[DeclName(d)] != d {
					continue
				}
				rec.order = append(rec.order, d)
				rec.realmOf[d] = ri
				rec.module[d] = m.GetName()
				rec.where[d] = mc.in(DeclPos(d), named("data", DeclName(d)))
				if n := len(d.GetData().GetTypeParameters()); n > 0 {
					rec.params[d] = make([]paramUse, n)
				}
			}
		}
	}
	// How generic types hold their parameters, to a fixpoint: a type may
	// hold its parameter through another generic type.
	for changed := true; changed; {
		changed = false
		for _, d := range rec.order {
			if rec.params[d] == nil {
				continue
			}
			data := d.GetData()
			for _, f := range data.GetFields() {
				rec.walk(rec.realmOf[d], data, f.GetType(), nil, nil, nil, func(i int, outer, inner []*Optional) {
					if rec.useParam(d, i, outer, inner) {
						changed = true
					}
				})
			}
		}
	}
	for _, d := range rec.order {
		data := d.GetData()
		for _, f := range data.GetFields() {
			rec.walk(rec.realmOf[d], data, f.GetType(), nil, nil, func(e recEdge) {
				rec.edges[d] = append(rec.edges[d], e)
			}, nil)
		}
	}
	return rec
}

// useParam records that d holds its parameter i inline through the given
// optionals, and reports whether that is new.
func (rec *recursion) useParam(d *Decl, i int, outer, inner []*Optional) bool {
	u := &rec.params[d][i]
	changed := false
	if len(outer) == 0 && len(inner) == 0 && !u.pure {
		u.pure, changed = true, true
	}
	for _, o := range append(slices.Clone(outer), inner...) {
		if !slices.Contains(u.opts, o) {
			u.opts = append(u.opts, o)
			changed = true
		}
	}
	return changed
}

// walk follows t, a type in data (of realm ri), to every data type it
// holds inline (not behind a list or a map), calling edge for each, and
// param for each type parameter of data it holds inline. Typealiases are
// looked through; Validate has refused alias cycles, and depth bounds the
// walk should it run on a schema that did not pass.
func (rec *recursion) walk(ri *realmInfo, data *Data, t *Type, outer, inner []*Optional, edge func(recEdge), param func(i int, outer, inner []*Optional)) {
	rec.walkDepth(ri, data, t, outer, inner, edge, param, 0)
}

func (rec *recursion) walkDepth(ri *realmInfo, data *Data, t *Type, outer, inner []*Optional, edge func(recEdge), param func(int, []*Optional, []*Optional), depth int) {
	if depth > 1000 {
		return
	}
	switch x := t.GetValue().(type) {
	case *Type_Optional:
		rec.walkDepth(ri, data, x.Optional.GetType(), append(slices.Clip(outer), x.Optional), inner, edge, param, depth+1)
	case *Type_Ref:
		r := x.Ref
		if r.GetModule() == "" {
			if param == nil || r.GetRealm() != "" {
				return
			}
			for i, p := range data.GetTypeParameters() {
				if p.GetName() == r.GetName() {
					param(i, outer, inner)
					return
				}
			}
			return
		}
		d, dri := rec.v.resolveQuiet(ri, r)
		switch y := d.GetValue().(type) {
		case *Decl_TypeAlias:
			// The alias's own optionals are the ones to make references:
			// its Go declaration is shared by every use.
			rec.walkDepth(dri, data, y.TypeAlias.GetType(), outer, inner, edge, param, depth+1)
		case *Decl_Data:
			if edge != nil {
				edge(recEdge{to: d, outer: outer, inner: inner})
			}
			uses := rec.params[d]
			for i, arg := range r.GetTypeParameters() {
				if i >= len(uses) {
					break
				}
				u := uses[i]
				if u.pure {
					rec.walkDepth(ri, data, arg, outer, inner, edge, param, depth+1)
				}
				if len(u.opts) > 0 {
					rec.walkDepth(ri, data, arg, outer, append(slices.Clip(inner), u.opts...), edge, param, depth+1)
				}
			}
		}
	}
}
