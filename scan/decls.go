package scan

import (
	"go/constant"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// buildDecl decides what kind of decl a type is, as FTL does: a struct is
// data, a sealed interface a type enum, a named string or int type with
// typed constants a value enum, a type over an external Go type an Any
// typealias with a +typemap, and anything else a typealias of what it is
// declared as.
func (b *builder) buildDecl(obj *types.TypeName, tr trail) *schema.Decl {
	ts := b.specs[obj]
	if ts == nil {
		b.errorf(obj.Pos(), "%s: type %s is declared inside a function; types in a realm's API must be declared at package level", tr, obj.Name())
		return nil
	}
	kind := "" // one at most: checkRules refuses conflicting directives
	for _, d := range b.typeDirs[obj] {
		switch d.name {
		case "data", "enum", "typealias":
			kind = d.name
		}
	}
	isStruct, isInterface := ts.form == formStruct, ts.form == formInterface
	if ts.generic && !isStruct {
		b.errorf(ts.namePos, "%s: generic type %s is not a struct; only data types take type parameters", tr, obj.Name())
		return nil
	}
	under := obj.Type().Underlying()
	isValueEnum := false
	if _, ok := under.(*types.Basic); ok && !obj.IsAlias() {
		isValueEnum = kind == "enum" || len(b.enumConsts(obj)) > 0
	}
	switch {
	case obj.IsAlias():
	case isStruct:
		if kind == "enum" || kind == "typealias" {
			b.errorf(ts.namePos, "%s: //ftl:%s on struct %s; a struct is data", tr, kind, obj.Name())
			return nil
		}
		return b.data(obj, ts, under.(*types.Struct), tr)
	case isInterface:
		return b.typeEnum(obj, ts, under.(*types.Interface), tr)
	case isValueEnum:
		return b.valueEnum(obj, ts, under.(*types.Basic), tr)
	}
	switch kind {
	case "data":
		b.errorf(ts.namePos, "%s: //ftl:data on type %s, which is not a struct", tr, obj.Name())
		return nil
	case "enum":
		b.errorf(ts.namePos, "%s: //ftl:enum on type %s; an enum is a string or int type with typed constants, or a sealed interface", tr, obj.Name())
		return nil
	}
	return b.typeAlias(obj, ts, tr)
}

func (b *builder) data(obj *types.TypeName, ts *typeSpec, st *types.Struct, tr trail) *schema.Decl {
	at, doc, dataName := b.head(obj, ts)
	decl, d := b.newDataDecl()
	d.Pos, d.Comments, d.Visibility, d.Name = at, doc, b.declVis(obj), dataName
	for _, p := range ts.params {
		d.TypeParameters = append(d.TypeParameters, &schema.TypeParameter{Pos: b.position(p.pos), Name: p.name})
	}
	fields := carve(&b.fields, st.NumFields())
	d.Fields = carve(&b.fieldPtrs, st.NumFields())[:0]
	ok := true
	for i := range st.NumFields() {
		v := st.Field(i)
		switch {
		case v.Embedded():
			b.errorf(v.Pos(), "%s: embedded field %s is not supported; give the field a name", tr, v.Name())
			ok = false
			continue
		case !v.Exported():
			// FTL's encoder would write it, its extractor refuses it.
			b.errorf(v.Pos(), "%s: field %s must be exported: FTL refuses unexported fields in a struct of the schema", tr, v.Name())
			ok = false
			continue
		}
		tag := reflect.StructTag(st.Tag(i))
		// The wire key, which the schema field name must be: FTL's
		// lowerCamel of the Go name. Neither FTL's extractor nor its
		// encoder reads an ftl tag.
		name := b.lower(v.Name())
		if t, set := tag.Lookup("ftl"); set {
			b.warnf(v.Pos(), "field %s: ftl tag %q ignored; FTL names the field %s (the lowerCamel of its Go name) and keys it so on the wire: remove the tag, which only ftlrealm reads", v.Name(), t, name)
		}
		typ := b.typeOf(v.Type(), v.Pos(), tr.then(".", name))
		if typ == nil {
			ok = false
			continue
		}
		f := &fields[len(d.Fields)]
		f.Pos, f.Name, f.Type = b.position(v.Pos()), name, typ
		if ts.fieldDocs != nil {
			f.Comments = ts.fieldDocs[i]
		}
		// FTL keeps the json tag's name as an alias (used by HTTP ingress).
		if alias, _, _ := strings.Cut(tag.Get("json"), ","); alias != "" {
			f.Metadata = append(f.Metadata, &schema.Metadata{Value: &schema.Metadata_Alias{Alias: &schema.MetadataAlias{
				Kind: schema.AliasKind_ALIAS_KIND_JSON, Alias: alias,
			}}})
		}
		d.Fields = append(d.Fields, f)
	}
	if !ok {
		return nil
	}
	return decl
}

// head is what the decl of a type carries from its declaration: the
// position of its name, its doc comment, and its schema name.
func (b *builder) head(obj *types.TypeName, ts *typeSpec) (*schema.Position, []string, string) {
	return b.position(ts.namePos), ts.comments, b.upper(obj.Name())
}

// declVis is the visibility of a type's decl: the current phase's (that
// of the verb that first reaches it), raised to module when its own
// //ftl:data, //ftl:enum or //ftl:typealias directive exports it (checkArgs
// refuses any other argument of theirs).
func (b *builder) declVis(obj *types.TypeName) schema.Visibility {
	for _, d := range b.typeDirs[obj] {
		if (d.name == "data" || d.name == "enum" || d.name == "typealias") && d.argText() == verbExport {
			return max(b.vis, schema.Visibility_VISIBILITY_SCOPE_MODULE)
		}
	}
	return b.vis
}

// enumConsts returns the package-level constants of exactly type obj, the
// variants of a value enum, in name order. The index collected them: going
// through the package scope (sorting its names) for every enum was a
// tenth of the decls' cost.
func (b *builder) enumConsts(obj *types.TypeName) []*types.Const {
	return b.consts[obj]
}

func (b *builder) valueEnum(obj *types.TypeName, ts *typeSpec, basic *types.Basic, tr trail) *schema.Decl {
	at, doc, enumName := b.head(obj, ts)
	e := &schema.Enum{Pos: at, Comments: doc, Visibility: b.declVis(obj), Name: enumName}
	switch basic.Kind() {
	case types.String:
		e.Type = b.stringType()
	case types.Int:
		e.Type = b.intType()
	default:
		b.errorf(ts.namePos, "%s: value enum %s is a %s; a value enum is a string or int type", tr, obj.Name(), basic.Name())
		return nil
	}
	consts := b.enumConsts(obj)
	if len(consts) == 0 {
		b.errorf(ts.namePos, "%s: enum %s has no variants; declare constants of type %s", tr, obj.Name(), obj.Name())
		return nil
	}
	ok := true
	for _, c := range consts {
		if !c.Exported() {
			b.errorf(c.Pos(), "%s: enum %s: constant %s must be exported to be a variant", tr, obj.Name(), c.Name())
			ok = false
			continue
		}
		v := &schema.EnumVariant{Pos: b.position(c.Pos()), Comments: b.constDocs[c], Name: b.upper(c.Name())}
		if basic.Kind() == types.String {
			v.Value = &schema.Value{Value: &schema.Value_StringValue{StringValue: &schema.StringValue{Value: constant.StringVal(c.Val())}}}
		} else {
			n, _ := constant.Int64Val(c.Val()) // an int constant fits
			v.Value = &schema.Value{Value: &schema.Value_IntValue{IntValue: &schema.IntValue{Value: n}}}
		}
		e.Variants = append(e.Variants, v)
	}
	if !ok {
		return nil
	}
	sortVariants(e.Variants)
	return &schema.Decl{Value: &schema.Decl_Enum{Enum: e}}
}

// typeEnum builds a sealed interface's type enum: its variants are the
// types of the same package that implement it, each carrying its own
// schema type (a struct variant is a ref to its data).
func (b *builder) typeEnum(obj *types.TypeName, ts *typeSpec, iface *types.Interface, tr trail) *schema.Decl {
	pos := ts.namePos
	if iface.NumMethods() == 0 {
		b.errorf(pos, "%s: interface %s has no methods; a type enum is an interface with an unexported marker method", tr, obj.Name())
		return nil
	}
	for m := range iface.Methods() {
		if m.Exported() {
			b.errorf(pos, "%s: type enum %s has exported method %s; its methods must be unexported, so that only its package can add variants", tr, obj.Name(), m.Name())
			return nil
		}
	}
	at, doc, enumName := b.head(obj, ts)
	e := &schema.Enum{Pos: at, Comments: doc, Visibility: b.declVis(obj), Name: enumName}
	ok := true
	scope := obj.Pkg().Scope()
	for _, name := range scope.Names() {
		vt, isType := scope.Lookup(name).(*types.TypeName)
		if !isType || vt.IsAlias() {
			continue
		}
		named, isNamed := vt.Type().(*types.Named)
		if !isNamed || types.IsInterface(named) || named.TypeParams().Len() > 0 || !types.Implements(named, iface) {
			continue
		}
		v := b.typeEnumVariant(obj, vt, tr)
		ok = ok && v != nil
		e.Variants = append(e.Variants, v)
	}
	switch {
	case !ok:
		return nil
	case len(e.Variants) == 0:
		b.errorf(pos, "%s: type enum %s has no variants; no type of package %s implements it", tr, obj.Name(), obj.Pkg().Path())
		return nil
	}
	sortVariants(e.Variants)
	return &schema.Decl{Value: &schema.Decl_Enum{Enum: e}}
}

func (b *builder) typeEnumVariant(enum, vt *types.TypeName, tr trail) *schema.EnumVariant {
	vts := b.specs[vt]
	name := b.upper(vt.Name())
	vtr := tr.then(".", name)
	if !vt.Exported() {
		b.errorf(vt.Pos(), "%s: variant %s of type enum %s must be exported", tr, vt.Name(), enum.Name())
		return nil
	}
	var value *schema.Type
	if vts.form == formStruct {
		value = b.declRef(vt, nil, vt.Pos(), vtr)
	} else if _, basic := vt.Type().Underlying().(*types.Basic); basic && len(b.enumConsts(vt)) > 0 {
		b.errorf(vt.Pos(), "%s: value enum %s cannot be a variant of type enum %s; declare another type for the variant", tr, vt.Name(), enum.Name())
		return nil
	} else {
		value = b.typeOf(vts.typ, vts.typePos, vtr)
	}
	if value == nil {
		return nil
	}
	return &schema.EnumVariant{
		Pos:      b.position(vt.Pos()),
		Comments: vts.comments,
		Name:     name,
		Value:    &schema.Value{Value: &schema.Value_TypeValue{TypeValue: &schema.TypeValue{Value: value}}},
	}
}

// sortVariants orders enum variants by name, as FTL's Go runtime does.
func sortVariants(vs []*schema.EnumVariant) {
	slices.SortFunc(vs, func(a, b *schema.EnumVariant) int { return strings.Compare(a.GetName(), b.GetName()) })
}
