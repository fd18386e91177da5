package scan

import (
	"go/token"
	"go/types"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Packages whose types have a fixed meaning in FTL's schema.
const (
	// ftlPackage is FTL's Go runtime, whose Option and Unit are schema types
	// and whose Config, Secret, DatabaseHandle, TopicHandle and EgressTarget
	// are verb resources.
	ftlPackage = "github.com/block/ftl/go-runtime/ftl"
	// realmRuntimePackage is ftl-gen-realm's runtime. Its Option and Unit
	// encode exactly as FTL's, so a realm served from plain Go (with
	// ftlrealm.Handle) may use them in its API too.
	realmRuntimePackage = "github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	// realmPrefix is where ftl-gen-realm generates the clients of external
	// realms (gen.ImportPrefix): ftl/realm/<realm>/<module>.
	realmPrefix = "ftl/realm/"
)

// trail says where the scanner is in a verb's API, for messages:
// "verb withdraw: request balance.WithdrawRequest.meta.owner". It names the
// first decl the path enters (after any containers: "[]balance.Entry");
// later decls are implied by the field names.
//
// Trails are made for every field and type and rendered only for a
// problem, so they are built without concatenating: the first decl and the
// last two segments (a field and a container of its type, typically) are
// kept apart, and joined to the rest only past that. Most fields then cost
// no allocation.
type trail struct {
	verb      string // schema name of the verb
	root      string // "request" or "response"
	rest      string // containers, the first decl, then fields and containers
	mod, decl string // the first decl, when rest was empty on entering it: it follows rest
	segs      [2]seg // the last segments, not yet appended
	n         uint8  // of segs in use
	named     bool   // the path has entered a decl
}

// seg is a segment of a trail: a field (".", name) or a container ("[]",
// "{key}", "{value}", "<T>", with no name).
type seg struct{ sep, name string }

func (t trail) String() string {
	s := "verb " + t.verb + ": " + t.root
	if p := t.path(); p != "" {
		s += " " + p
	}
	return s
}

// path renders the segments.
func (t trail) path() string {
	p := t.rest
	if t.mod != "" {
		p += t.mod + "." + t.decl
	}
	for _, s := range t.segs[:t.n] {
		p += s.sep + s.name
	}
	return p
}

// then appends a path segment.
func (t trail) then(sep, name string) trail {
	if int(t.n) == len(t.segs) {
		t.rest, t.mod, t.decl, t.n = t.path(), "", "", 0
	}
	t.segs[t.n] = seg{sep, name}
	t.n++
	return t
}

// enter records that the path goes through the decl module.name, if it is
// the first one.
func (t trail) enter(module, name string) trail {
	switch {
	case t.named:
		return t
	case t.rest == "" && t.n == 0:
		t.mod, t.decl = module, name
	default:
		t.rest, t.n = t.path()+module+"."+name, 0
	}
	t.named = true
	return t
}

// universeAny is the predeclared any, the one spelling of the empty
// interface FTL maps to Any.
var universeAny = types.Universe.Lookup("any").Type()

// typeOf maps a Go type to its schema type the way FTL's Go runtime does.
// It returns nil after reporting why when the type cannot be in a realm's
// API. pos is where the type is written (for the diagnostic).
func (b *builder) typeOf(t types.Type, pos token.Pos, tr trail) *schema.Type {
	switch t := t.(type) {
	case *types.Alias:
		if obj := t.Obj(); obj.Pkg() != nil && b.moduleOf(obj.Pkg().Path()) != nil {
			return b.declRef(obj, nil, pos, tr) // a typealias of the realm
		} else if obj.Pkg() != nil && b.foreign != nil {
			if _, ok := externalRealm(obj.Pkg().Path()); ok {
				return b.foreignType(obj, nil, pos, tr) // a typealias of another realm
			}
		}
		if t == universeAny {
			return anyType()
		}
		return b.typeOf(types.Unalias(t), pos, tr) // an alias elsewhere
	case *types.Basic:
		switch t.Kind() {
		case types.String:
			return b.stringType()
		case types.Int:
			return b.intType()
		case types.Bool:
			return b.boolType()
		case types.Float64:
			return b.floatType()
		}
	case *types.Slice:
		if e, ok := t.Elem().Underlying().(*types.Basic); ok && e.Kind() == types.Byte {
			return bytesType()
		}
		elem := b.typeOf(t.Elem(), pos, tr.then("[]", ""))
		if elem == nil {
			return nil
		}
		return b.arrayType(elem)
	case *types.Map:
		key := b.typeOf(t.Key(), pos, tr.then("{key}", ""))
		value := b.typeOf(t.Elem(), pos, tr.then("{value}", ""))
		if key == nil || value == nil {
			return nil
		}
		return b.mapType(key, value)
	case *types.Interface:
		if t.Empty() {
			// As FTL's extractor, which maps the empty interface only when
			// it is spelt any.
			b.errorf(pos, "%s: unsupported type interface{}; write any, the empty interface FTL maps to Any", tr)
			return nil
		}
	case *types.TypeParam:
		typ, _ := b.refType("", t.Obj().Name(), 0)
		return typ
	case *types.Named:
		return b.namedType(t, pos, tr)
	}
	b.errorf(pos, "%s: unsupported type %s", tr, b.typeString(t))
	return nil
}

// namedType maps a named (defined) type: FTL's special types, a type of the
// realm (a ref to its decl), or a type from elsewhere (an error).
func (b *builder) namedType(t *types.Named, pos token.Pos, tr trail) *schema.Type {
	obj := t.Obj()
	if obj.Pkg() == nil { // error, comparable
		b.errorf(pos, "%s: unsupported type %s", tr, obj.Name())
		return nil
	}
	path := obj.Pkg().Path()
	// By package, then name: a type of the realm costs no string to match.
	ftl := path == ftlPackage || path == realmRuntimePackage
	switch {
	case path == "time" && obj.Name() == "Time":
		return b.timeType()
	case ftl && obj.Name() == "Unit":
		return unitType()
	case ftl && obj.Name() == "Option":
		if t.TypeArgs().Len() == 1 {
			inner := b.typeOf(t.TypeArgs().At(0), pos, tr)
			if inner == nil {
				return nil
			}
			return b.optionalType(inner)
		}
	}
	if b.moduleOf(path) != nil {
		return b.declRef(obj, t.TypeArgs(), pos, tr)
	}
	if realm, ok := externalRealm(path); ok {
		if b.foreign != nil {
			return b.foreignType(obj, t.TypeArgs(), pos, tr)
		}
		b.errorf(pos, "%s: type %s.%s is from external realm %s (package %s); a realm's public API must not expose another realm's types",
			tr, obj.Pkg().Name(), obj.Name(), realm, path)
		return nil
	}
	b.errorf(pos, "%s: unsupported external type %s; declare a //ftl:typealias for it in the module", tr, b.typeString(t))
	return nil
}

// declRef returns a ref to the decl of a realm type (a named type or a Go
// alias declared in one of the modules), building the decl the first time.
func (b *builder) declRef(obj *types.TypeName, args *types.TypeList, pos token.Pos, tr trail) *schema.Type {
	if n, ok := obj.Type().(*types.Named); ok {
		obj = n.Origin().Obj()
	}
	obj = b.sourceObject(obj)
	m := b.moduleOf(obj.Pkg().Path())
	name := b.upper(obj.Name())
	if !obj.Exported() {
		b.errorf(pos, "%s: type %s is not exported; a type in a realm's API must be", tr, b.typeString(obj.Type()))
		return nil
	}
	inner := tr.enter(m.Name, name)
	if !b.ensureDecl(obj, inner) {
		return nil
	}
	typ, ref := b.refType(m.Name, name, args.Len())
	var params *types.TypeParamList
	if n, ok := obj.Type().(*types.Named); ok {
		params = n.TypeParams()
	}
	ok := true
	for i := range args.Len() {
		a := b.typeOf(args.At(i), pos, inner.then(b.angled(params.At(i).Obj().Name()), ""))
		ok = ok && a != nil
		ref.TypeParameters = append(ref.TypeParameters, a)
	}
	if !ok {
		return nil
	}
	return typ
}

// foreignType returns a ref into another realm (balance.Currency@bank) for
// a type of its generated client, where the realm's own code may use one
// (outside its public API).
func (b *builder) foreignType(obj *types.TypeName, args *types.TypeList, pos token.Pos, tr trail) *schema.Type {
	path := obj.Pkg().Path()
	realm, _ := externalRealm(path)
	pn := b.foreign.packages[path]
	if pn == nil {
		b.errorf(pos, "%s: type %s.%s is from package %s, which is no module of a realm ftl-project.toml pins (run `go generate` to regenerate the clients)",
			tr, obj.Pkg().Name(), obj.Name(), path)
		return nil
	}
	name, ok := pn.Types[obj.Name()]
	if !ok {
		if enum, isVariant := pn.VariantTypes[obj.Name()]; isVariant {
			b.errorf(pos, "%s: type %s.%s is only a variant of type enum %s.%s@%s, not a type of the schema: use the enum", tr, obj.Pkg().Name(), obj.Name(), pn.Module, enum, realm)
		} else {
			b.errorf(pos, "%s: type %s.%s is not in realm %s as pinned (run `go generate` to regenerate the clients)", tr, obj.Pkg().Name(), obj.Name(), realm)
		}
		return nil
	}
	typ, ref := b.refType(pn.Module, name, args.Len())
	ref.Realm = pn.Realm
	for i := range args.Len() {
		a := b.typeOf(args.At(i), pos, tr.then("<>", ""))
		if a == nil {
			return nil
		}
		ref.TypeParameters = append(ref.TypeParameters, a)
	}
	return typ
}

// externalRealm reports whether path is a package generated for another
// realm's clients, and which realm.
func externalRealm(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, realmPrefix)
	if !ok || rest == "" {
		return "", false
	}
	realm, _, _ := strings.Cut(rest, "/")
	return realm, true
}

// typeString renders a Go type for messages: realm types by package name
// (balance.Meta), others by import path (github.com/google/uuid.UUID).
func (b *builder) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if b.moduleOf(p.Path()) != nil {
			return p.Name()
		}
		return p.Path()
	})
}

// isResource reports whether a verb parameter is one FTL injects rather
// than the request: a config, secret, database, topic or egress handle from
// FTL's runtime, or a verb client (FTL generates `type WithdrawClient
// func(...)`, and any named func type is taken as one, as FTL does).
func isResource(t types.Type) bool { return resourceKind(t) != "" }

// isNamed reports whether t is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}
