package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// verbs emits, per callable verb, its ref constant and Verb variable, a
// package-level function, and the Client interface with its constructor and
// implementation. Unit requests and responses are left out of signatures,
// as FTL does for sinks, sources and empty verbs.
func (e *emitter) verbs() {
	m, n := e.m, e.n
	realm := m.realm.name
	if len(m.verbs) > 0 {
		e.f.Line() // jennifer would glue this block to a preceding const block
		e.f.Const().DefsFunc(func(g *jen.Group) {
			for _, d := range m.verbs {
				ref := m.name + "." + d.name + "@" + realm
				g.Add(doc(n.refs[d], nil, fmt.Sprintf("%s is the ref of verb %s, as FTL writes it.", n.refs[d], d.name)))
				g.Id(n.refs[d]).Op("=").Lit(ref)
			}
		})
		e.f.Var().DefsFunc(func(g *jen.Group) {
			for _, d := range m.verbs {
				g.Add(doc(n.verbVars[d], nil, fmt.Sprintf("%s identifies verb %s for ftlrealm.Call.", n.verbVars[d], d.name)))
				g.Id(n.verbVars[d]).Op("=").Qual(RuntimePath, "Verb").Values(
					jen.Id("Realm").Op(":").Lit(realm),
					jen.Id("Module").Op(":").Lit(m.name),
					jen.Id("Name").Op(":").Lit(d.name),
				)
			}
		})
	}
	for _, d := range m.verbs {
		e.f.Add(doc(n.funcs[d], d.comments, fmt.Sprintf("%s calls verb %s.%s of realm %s.", n.funcs[d], m.name, d.name, realm)))
		e.f.Func().Id(n.funcs[d]).Add(e.signature(d)).Block(e.callBody(d, nil)...)
	}

	e.f.Add(doc(n.client, nil, fmt.Sprintf("%s calls the verbs of module %s of realm %s.\n\n%s returns the implementation that calls the realm; tests can substitute a fake.", n.client, m.name, realm, n.newClient)))
	e.f.Type().Id(n.client).InterfaceFunc(func(g *jen.Group) {
		for _, d := range m.verbs {
			g.Add(doc(n.funcs[d], d.comments, fmt.Sprintf("%s calls verb %s.%s of realm %s.", n.funcs[d], m.name, d.name, realm)))
			g.Id(n.funcs[d]).Add(e.signature(d))
		}
	})
	e.f.Add(doc(n.newClient, nil, fmt.Sprintf("%s returns a %s that makes every call with opts.", n.newClient, n.client)))
	e.f.Func().Id(n.newClient).Params(jen.Id("opts").Op("...").Qual(RuntimePath, "CallOption")).Id(n.client).Block(
		jen.Return(jen.Id("client").Values(jen.Dict{jen.Id("opts"): jen.Id("opts")})),
	)
	e.f.Comment("// client is the " + n.client + " that calls the realm.")
	e.f.Type().Id("client").Struct(jen.Id("opts").Index().Qual(RuntimePath, "CallOption"))
	for _, d := range m.verbs {
		e.f.Line()
		e.f.Func().Params(jen.Id("c").Id("client")).Id(n.funcs[d]).Add(e.signature(d)).Block(
			e.callBody(d, jen.Id("c").Dot("opts").Op("..."))...,
		)
	}
}

// signature renders a verb's parameters and results.
func (e *emitter) signature(d *declInfo) jen.Code {
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	if d.req.kind != tUnit {
		params = append(params, jen.Id("req").Add(e.goType(d.req, nil)))
	}
	s := jen.Params(params...)
	if d.resp.kind != tUnit {
		return s.Params(e.goType(d.resp, nil), jen.Error())
	}
	return s.Error()
}

// callBody calls the verb through ftlrealm.Call; opts, when set, is passed
// as the variadic options.
func (e *emitter) callBody(d *declInfo, opts jen.Code) []jen.Code {
	unit := jen.Qual(RuntimePath, "Unit")
	reqT, respT := jen.Code(unit), jen.Code(unit)
	req := jen.Code(jen.Qual(RuntimePath, "Unit").Values())
	if d.req.kind != tUnit {
		reqT, req = e.goType(d.req, nil), jen.Id("req")
	}
	if d.resp.kind != tUnit {
		respT = e.goType(d.resp, nil)
	}
	args := []jen.Code{jen.Id("ctx"), jen.Id(e.n.verbVars[d]), req}
	if opts != nil {
		args = append(args, opts)
	}
	call := jen.Qual(RuntimePath, "Call").Types(reqT, respT).Call(args...)
	if d.resp.kind != tUnit {
		return []jen.Code{jen.Return(call)}
	}
	return []jen.Code{
		jen.List(jen.Id("_"), jen.Id("err")).Op(":=").Add(call),
		jen.Return(jen.Id("err")),
	}
}
