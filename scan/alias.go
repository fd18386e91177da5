package scan

import (
	"go/types"
	"path"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// typeAlias builds a typealias: a Go alias (type A = T) or a defined type
// that is neither data nor an enum (type Name string, type Tags []string).
// Over an external Go type it is FTL's widened alias: Any, with a
// +typemap go naming the native type (implied when no //ftl:typemap go
// gives it; one that does must name the same type).
func (b *builder) typeAlias(obj *types.TypeName, ts *typeSpec, tr trail) *schema.Decl {
	at, doc, aliasName := b.head(obj, ts)
	a := &schema.TypeAlias{Pos: at, Comments: doc, Visibility: b.declVis(obj), Name: aliasName}
	var goMap *directive
	for _, d := range b.typeDirs[obj] {
		if d.name != "typemap" {
			continue
		}
		if d.args[0].Arg == "go" { // the arguments are checked (checkArgs)
			goMap = &d
		}
		a.Metadata = append(a.Metadata, typeMap(d.args[0].Arg, d.args[1].Arg))
	}
	if native, ok := b.externalNative(ts); ok {
		if goMap != nil && goMap.args[1].Arg != native {
			b.errorf(goMap.pos, "%s: //ftl:typemap go %q does not match the type %s aliases, %s", tr, goMap.args[1].Arg, obj.Name(), native)
			return nil
		}
		if goMap == nil {
			a.Metadata = append(a.Metadata, typeMap("go", native))
		}
		a.Type = anyType()
		return &schema.Decl{Value: &schema.Decl_TypeAlias{TypeAlias: a}}
	}
	if len(a.Metadata) > 0 && goMap == nil {
		// FTL takes a mapped typealias for a widened one, whose Go type it
		// must know.
		b.errorf(ts.namePos, "%s: typealias %s has a //ftl:typemap but none for go, and aliases no external Go type; FTL wants the Go type of a mapped typealias", tr, obj.Name())
		return nil
	}
	a.Type = b.typeOf(ts.typ, ts.typePos, tr)
	if a.Type == nil {
		return nil
	}
	return &schema.Decl{Value: &schema.Decl_TypeAlias{TypeAlias: a}}
}

func typeMap(runtime, native string) *schema.Metadata {
	return &schema.Metadata{Value: &schema.Metadata_TypeMap{TypeMap: &schema.MetadataTypeMap{Runtime: runtime, NativeName: native}}}
}

// externalNative returns FTL's native name of the external Go type a type
// declaration names directly (type A pkg.T or type A = pkg.T): the import
// path, the package name when it differs from the path's last element, and
// the type name, joined by dots. Types of the realm, FTL's Option and Unit
// and time.Time are not external.
func (b *builder) externalNative(ts *typeSpec) (string, bool) {
	tn := ts.native
	if tn == nil || tn.Pkg() == nil {
		return "", false
	}
	p := tn.Pkg().Path()
	switch p + "." + tn.Name() {
	case "time.Time", ftlPackage + ".Option", ftlPackage + ".Unit", realmRuntimePackage + ".Option", realmRuntimePackage + ".Unit":
		return "", false
	}
	if b.moduleOf(p) != nil {
		return "", false
	}
	if _, ok := externalRealm(p); ok {
		return "", false // reported as a type from another realm
	}
	native := p
	if path.Base(p) != tn.Pkg().Name() {
		native += "." + tn.Pkg().Name()
	}
	return native + "." + tn.Name(), true
}
