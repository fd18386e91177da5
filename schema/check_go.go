package schema

import (
	"errors"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/tarjan"

	"golang.org/x/mod/module"
)

// The rules of a realm's API beyond FTL's own: what a Go client of it
// cannot express. gen generates a Go module per realm, ftl/realm/<realm>,
// with a package per module, ftl/realm/<realm>/<module>.

// checkGo checks the API realm ri against what gen can generate.
func (v *validator) checkGo(ri *realmInfo) {
	c := scope{realm: ri, pos: v.root}.in(ri.realm.GetPos(), named("realm", ri.realm.GetName()))
	folded := map[string]*Module{}
	for _, m := range ri.realm.GetModules() {
		mc := c.in(m.GetPos(), named("module", m.GetName()))
		name := m.GetName()
		if problem := ImportPathElemProblem(name); problem != "" {
			v.errorf(mc, "invalid module name %s: %s", diag.Quote(name), problem)
		}
		if first, ok := folded[strings.ToLower(name)]; ok && first.GetName() != name {
			v.errorf(mc, "modules %s and %s differ only in letter case: their Go import paths would clash on a case-insensitive file system%s",
				diag.Quote(first.GetName()), diag.Quote(name), v.previous(first.GetPos()))
		} else if !ok {
			folded[strings.ToLower(name)] = m
		}
		for _, d := range m.GetDecls() {
			if e := d.GetEnum(); e != nil && e.GetType() == nil {
				v.checkVariantShapes(mc.in(e.GetPos(), named("enum", e.GetName())), ri, m, e)
			}
		}
	}
	v.checkInstantiationCycles(c, ri)
	v.checkNestedAliasCycles(c, ri)
}

// checkNestedAliasCycles refuses typealiases that contain themselves
// through other aliases anywhere in their type (`typealias A [B]`,
// `typealias B A`): the values exist (an empty list), but Go rejects a type
// alias that refers to itself. (Validate refuses the cycles of aliases
// that are each other's whole type, which no language can declare.)
func (v *validator) checkNestedAliasCycles(c scope, ri *realmInfo) {
	var nodes []*Decl
	where := map[*Decl]scope{}
	names := map[*Decl]string{}
	for _, m := range ri.realm.GetModules() {
		mc := c.in(m.GetPos(), named("module", m.GetName()))
		for _, d := range m.GetDecls() {
			if a := d.GetTypeAlias(); a != nil {
				nodes = append(nodes, d)
				where[d] = mc.in(a.GetPos(), named("typealias", a.GetName()))
				names[d] = m.GetName() + "." + a.GetName()
			}
		}
	}
	next := func(d *Decl) []*Decl {
		var out []*Decl
		eachTypeRef(d.GetTypeAlias().GetType(), func(r *Ref) {
			if target, _ := v.resolveQuiet(ri, r); target.GetTypeAlias() != nil && where[target].realm != nil {
				out = append(out, target)
			}
		})
		return out
	}
	for _, scc := range tarjan.Components(nodes, next) {
		if len(scc) == 1 && !slices.Contains(next(scc[0]), scc[0]) {
			continue
		}
		list := make([]string, len(scc))
		first := scc[0]
		for i, d := range scc {
			list[i] = show(names[d])
			if names[d] < names[first] {
				first = d
			}
		}
		slices.Sort(list)
		what := "typealias " + show(names[first]) + " contains itself"
		if len(scc) > 1 {
			what = "typealiases contain themselves in a cycle (" + strings.Join(list, ", ") + ")"
		}
		v.errorf(where[first], "%s: Go rejects a type alias that refers to itself; make it a data type", what)
	}
}

// ImportPathElemProblem says why name, an FTL identifier, cannot be an
// element of a Go import path that a consumer imports normally (a realm's
// local name in ftl/realm/<realm>, a module's in ftl/realm/<realm>/<module>),
// or returns "".
func ImportPathElemProblem(name string) string {
	switch {
	case name == "internal":
		return "Go would make its package importable only from inside the realm's module"
	case name == "vendor":
		return "Go reserves vendor directories"
	case name == "testdata", strings.HasPrefix(name, "_"):
		return "the go command ignores such directories"
	}
	if err := module.CheckImportPath("ftl/realm/" + name); err != nil {
		var ipe *module.InvalidPathError
		if errors.As(err, &ipe) {
			return ipe.Err.Error()
		}
		return err.Error()
	}
	return ""
}

// checkVariantShapes refuses type enum variants a Go client cannot hold. A
// variant other than a same-named data type of the module becomes `type
// Variant T`: Go cannot add the enum's marker method to an interface (Any,
// another type enum) or a pointer, and a defined type over time.Time loses
// the methods that encode it.
func (v *validator) checkVariantShapes(c scope, ri *realmInfo, m *Module, e *Enum) {
	for _, variant := range e.GetVariants() {
		t := variant.GetValue().GetTypeValue().GetValue()
		if r := t.GetRef(); r != nil && r.GetName() == variant.GetName() && len(r.GetTypeParameters()) == 0 &&
			(r.GetModule() == m.GetName()) && (r.GetRealm() == "" || r.GetRealm() == ri.realm.GetName()) {
			if d, _ := v.resolveQuiet(ri, r); d.GetData() != nil && len(d.GetData().GetTypeParameters()) == 0 {
				continue // the data type is the variant itself
			}
		}
		if shape := v.goShape(ri, t, 0); shape != "" {
			v.errorf(c.in(variant.GetPos(), named("variant", variant.GetName())),
				"variant %s of type enum %s holds a value of type %s, which a Go client cannot express; wrap it in a data type",
				show(variant.GetName()), show(e.GetName()), shape)
		}
	}
}

// goShape classifies the Go type of t where it matters to a variant,
// looking through typealiases: "Any", "Time", "an optional" or "a type
// enum"; "" for any other.
func (v *validator) goShape(ri *realmInfo, t *Type, depth int) string {
	switch x := t.GetValue().(type) {
	case *Type_Any:
		return "Any"
	case *Type_Time:
		return "Time"
	case *Type_Optional:
		return "optional (" + show(TypeString(t)) + ")"
	case *Type_Ref:
		d, dri := v.resolveQuiet(ri, x.Ref)
		switch y := d.GetValue().(type) {
		case *Decl_TypeAlias:
			if depth < 100 {
				return v.goShape(dri, y.TypeAlias.GetType(), depth+1)
			}
		case *Decl_Enum:
			if y.Enum.GetType() == nil {
				return "type enum " + show(RefString(x.Ref))
			}
		}
	}
	return ""
}

// checkInstantiationCycles refuses generic data types that instantiate
// themselves with ever larger type arguments (`data Box<T> { next
// [Box<[T]>] }`): Go rejects them as an instantiation cycle, and no finite
// set of types holds their values. Like Go's type checker, it looks for a
// cycle through a type argument that strictly contains a type parameter.
func (v *validator) checkInstantiationCycles(c scope, ri *realmInfo) {
	type node struct {
		d *Decl
		i int
	}
	type edge struct {
		to      node
		growing bool
	}
	edges := map[node][]edge{}
	var nodes []node
	where := map[*Decl]scope{}
	for _, m := range ri.realm.GetModules() {
		mc := c.in(m.GetPos(), named("module", m.GetName()))
		for _, d := range m.GetDecls() {
			data := d.GetData()
			if data == nil || len(data.GetTypeParameters()) == 0 {
				continue
			}
			where[d] = mc.in(data.GetPos(), named("data", data.GetName()))
			params := map[string]int{}
			for i, p := range data.GetTypeParameters() {
				params[p.GetName()] = i
				nodes = append(nodes, node{d, i})
			}
			for _, f := range data.GetFields() {
				eachTypeRef(f.GetType(), func(r *Ref) {
					if r.GetModule() == "" {
						return
					}
					target, _ := v.resolveQuiet(ri, r)
					if target.GetData() == nil {
						return
					}
					for j, arg := range r.GetTypeParameters() {
						eachTypeRef(arg, func(p *Ref) {
							if i, ok := params[p.GetName()]; ok && p.GetModule() == "" {
								from := node{d, i}
								edges[from] = append(edges[from], edge{node{target, j}, arg.GetRef() != p})
							}
						})
					}
				})
			}
		}
	}
	next := func(n node) []node {
		var out []node
		for _, e := range edges[n] {
			out = append(out, e.to)
		}
		return out
	}
	reported := map[*Decl]bool{}
	for _, scc := range tarjan.Components(nodes, next) {
		in := map[node]bool{}
		for _, n := range scc {
			in[n] = true
		}
		for _, n := range scc {
			for _, e := range edges[n] {
				if e.growing && in[e.to] && !reported[n.d] {
					reported[n.d] = true
					data := n.d.GetData()
					v.errorf(where[n.d], "data %s instantiates itself with ever larger type arguments (through type parameter %s): no finite set of types holds its values, and Go rejects it",
						show(data.GetName()), show(data.GetTypeParameters()[n.i].GetName()))
				}
			}
		}
	}
}
