package gen

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
)

// decideAllNames decides the identifiers of every package, imported packages
// first (the import graph is acyclic by now), so that a package can refer to
// another package's types by their decided names.
func (u *universe) decideAllNames() {
	var visit func(m *moduleInfo)
	visit = func(m *moduleInfo) {
		if m.names != nil {
			return
		}
		imports := m.imports()
		for _, im := range imports {
			visit(im)
		}
		m.names = decideNames(m, imports)
	}
	for _, r := range u.realms {
		for _, m := range r.modules {
			visit(m)
		}
	}
}

// emitter renders one package.
type emitter struct {
	m *moduleInfo
	n *pkgNames
	f *jen.File
}

func (u *universe) render(m *moduleInfo) ([]byte, error) {
	e := &emitter{m: m, n: m.names, f: jen.NewFilePathName(m.path, m.pkg)}
	e.header()
	var sums []*declInfo
	for _, d := range m.decls {
		switch d.kind {
		case kindData:
			e.data(d)
		case kindValueEnum:
			e.valueEnum(d)
		case kindTypeEnum:
			e.typeEnum(d)
			sums = append(sums, d)
		case kindAlias:
			e.f.Add(doc(e.n.types[d], d.comments, fmt.Sprintf("%s is FTL type alias %s.%s.", e.n.types[d], m.name, d.name)))
			e.f.Type().Id(e.n.types[d]).Op("=").Add(e.goType(d.aliased, nil))
		}
	}
	e.registerSums(sums)
	e.verbs()
	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (e *emitter) header() {
	m, r := e.m, e.m.realm
	e.f.HeaderComment(Header)
	src := "Source: " + r.src.Repo
	if r.src.Commit != "" {
		src += " at commit " + r.src.Commit
	}
	if r.src.Path != "" {
		src += ", file " + r.src.Path
	}
	lines := commentLines(
		fmt.Sprintf("Package %s is the generated Go client of module %s of realm %s.", m.pkg, m.name, r.name),
		"",
		src+".",
		"Regenerate it with `go tool ftl-gen-realm gen` (run by go generate).",
	)
	if mc := commentLines(m.m.GetComments()...); len(mc) > 0 {
		lines = append(append(lines, "//"), mc...)
	}
	for _, l := range lines {
		e.f.PackageComment(l)
	}
	e.f.ImportName(RuntimePath, "ftlrealm")
	for im, name := range e.n.imports {
		if name == im.pkg {
			e.f.ImportName(im.path, name)
		} else {
			e.f.ImportAlias(im.path, name)
		}
	}
}

// goType is the Go spelling of t; params names the type parameters in scope.
func (e *emitter) goType(t *gtype, params []string) jen.Code {
	switch t.kind {
	case tInt:
		return jen.Int()
	case tFloat:
		return jen.Float64()
	case tString:
		return jen.String()
	case tBytes:
		return jen.Index().Byte()
	case tBool:
		return jen.Bool()
	case tTime:
		return jen.Qual("time", "Time")
	case tAny:
		return jen.Any()
	case tUnit:
		return jen.Qual(RuntimePath, "Unit")
	case tArray:
		return jen.Index().Add(e.goType(t.elem, params))
	case tMap:
		return jen.Map(e.goType(t.key, params)).Add(e.goType(t.elem, params))
	case tOptional:
		if t.ref {
			// The optional closes a cycle of data types; a pointer is
			// what lets a Go struct hold its own kind (see
			// schema.ByReference). nil encodes as null, as None does.
			return jen.Op("*").Add(e.goType(t.elem, params))
		}
		return jen.Qual(RuntimePath, "Option").Types(e.goType(t.elem, params))
	case tParam:
		return jen.Id(params[t.param])
	}
	var s *jen.Statement
	if t.decl.mod == e.m {
		s = jen.Id(e.n.types[t.decl])
	} else {
		s = jen.Qual(t.decl.mod.path, t.decl.mod.names.types[t.decl])
	}
	if len(t.args) > 0 {
		args := make([]jen.Code, len(t.args))
		for i, a := range t.args {
			args[i] = e.goType(a, params)
		}
		s = s.Types(args...)
	}
	return s
}

func (e *emitter) data(d *declInfo) {
	name := e.n.types[d]
	e.f.Add(doc(name, d.comments, fmt.Sprintf("%s is FTL data %s.%s.", name, e.m.name, d.name)))
	s := e.f.Type().Id(name)
	params := e.n.params[d]
	if len(params) > 0 {
		s.TypesFunc(func(g *jen.Group) {
			for i, p := range params {
				if d.needsCmp[i] {
					g.Id(p).Comparable()
				} else {
					g.Id(p).Any()
				}
			}
		})
	}
	fields := d.data.GetFields()
	s.StructFunc(func(g *jen.Group) {
		for i, f := range fields {
			if lines := commentLines(f.GetComments()...); len(lines) > 0 {
				for _, l := range lines {
					g.Comment(l)
				}
			}
			g.Id(e.n.fields[d][i]).Add(e.goType(d.fields[i], params)).Tag(fieldTag(e.n.fields[d][i], f.GetName()))
		}
	})
}

// fieldTag tags a struct field with its schema name. The json tag is for
// readers and encoding/json; the runtime keys a field by its ftl tag if
// present, else by strcase.ToLowerCamel of the Go field name (FTL's rule),
// so an ftl tag is needed exactly when that rule would give another name.
func fieldTag(goName, schemaName string) map[string]string {
	tag := map[string]string{"json": schemaName}
	if strcase.ToLowerCamel(goName) != schemaName {
		tag["ftl"] = schemaName
	}
	return tag
}

func (e *emitter) valueEnum(d *declInfo) {
	name := e.n.types[d]
	e.f.Add(doc(name, d.comments, fmt.Sprintf("%s is FTL value enum %s.%s.", name, e.m.name, d.name)))
	e.f.Type().Id(name).Add(e.goType(d.underlying, nil))
	vs := d.enum.GetVariants()
	if len(vs) == 0 {
		return
	}
	e.f.Const().DefsFunc(func(g *jen.Group) {
		for i, v := range vs {
			c := e.n.variants[d][i]
			g.Add(doc(c, v.GetComments(), fmt.Sprintf("%s is variant %s of %s.", c, v.GetName(), name)))
			var val jen.Code
			if iv := v.GetValue().GetIntValue(); iv != nil {
				val = jen.Op(strconv.FormatInt(iv.GetValue(), 10))
			} else {
				val = jen.Lit(v.GetValue().GetStringValue().GetValue())
			}
			g.Id(c).Id(name).Op("=").Add(val)
		}
	})
}

// marker is the unexported method that seals a type enum's interface.
func (e *emitter) marker(d *declInfo) string { return "is" + e.n.types[d] }

func (e *emitter) typeEnum(d *declInfo) {
	name := e.n.types[d]
	e.f.Add(doc(name, d.comments, fmt.Sprintf("%s is FTL type enum %s.%s: one of its variant types.", name, e.m.name, d.name)))
	e.f.Type().Id(name).Interface(jen.Id(e.marker(d)).Params())
	for i, v := range d.variants {
		vname := e.n.variants[d][i]
		if !v.standalone {
			e.f.Add(doc(vname, v.comments, fmt.Sprintf("%s is variant %s of %s.", vname, v.name, name)))
			e.f.Type().Id(vname).Add(e.goType(v.t, nil))
		}
		e.f.Func().Params(jen.Id(vname)).Id(e.marker(d)).Params().Block()
		e.f.Line()
	}
}

// multiline renders a call's arguments one per line.
var multiline = jen.Options{Open: "(", Close: ")", Separator: ",", Multi: true}

// registerSums tells the runtime how each type enum travels on the wire.
func (e *emitter) registerSums(sums []*declInfo) {
	if len(sums) == 0 {
		return
	}
	e.f.Func().Id("init").Params().BlockFunc(func(g *jen.Group) {
		for _, d := range sums {
			vs := make([]jen.Code, len(d.variants))
			for i, v := range d.variants {
				vs[i] = jen.Qual(RuntimePath, "Variant").Types(jen.Id(e.n.variants[d][i])).Call(jen.Lit(v.name))
			}
			g.Qual(RuntimePath, "RegisterSumType").Types(jen.Id(e.n.types[d])).Custom(multiline, vs...)
		}
	})
}
