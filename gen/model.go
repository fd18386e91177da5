package gen

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// universe is every pinned realm being generated, with refs resolved to
// declarations. Every later stage (checks, naming, emitting) works on it, so
// none of them has to cope with a dangling ref.
type universe struct {
	realms []*realmInfo          // sorted by local name
	byName map[string]*realmInfo // local names, then producer names
	// byRef holds the optionals through which a data type holds its own
	// cycle (schema.ByReference): they become Go pointers.
	byRef map[*schema.Optional]bool
	errs  diag.List
}

type realmInfo struct {
	name     string // local name: import path element and Verb.Realm
	producer string // the realm's name inside its own schema
	src      SourceInfo
	file     string
	modules  []*moduleInfo // sorted by name
	byModule map[string]*moduleInfo
}

type moduleInfo struct {
	realm *realmInfo
	m     *schema.Module
	name  string
	dir   string // directory inside the realm module (the module name)
	path  string // import path
	pkg   string // Go package name
	types map[string]*declInfo
	decls []*declInfo // data, enums and aliases in schema order
	verbs []*declInfo // verbs that get client functions, in schema order
	names *pkgNames   // decided by names.go before emitting
}

type declKind int

const (
	kindData declKind = iota
	kindValueEnum
	kindTypeEnum
	kindAlias
	kindVerb
)

func (k declKind) String() string {
	return [...]string{"data", "enum", "enum", "typealias", "verb"}[k]
}

type declInfo struct {
	mod      *moduleInfo
	kind     declKind
	name     string
	comments []string
	data     *schema.Data
	enum     *schema.Enum
	alias    *schema.TypeAlias
	verb     *schema.Verb

	params     []string  // data type parameters
	needsCmp   []bool    // params constrained `comparable`
	fields     []*gtype  // data field types, aligned with data.Fields
	aliased    *gtype    // alias target
	underlying *gtype    // value enum: Int or String
	variants   []variant // type enum
	req, resp  *gtype    // verb
}

type variant struct {
	name     string
	comments []string
	t        *gtype
	// standalone: the variant is a same-module, non-generic data type of the
	// same name, which implements the interface itself (as FTL does).
	standalone bool
}

// tkind is the kind of a resolved type.
type tkind int

const (
	tInt tkind = iota
	tFloat
	tString
	tBytes
	tBool
	tTime
	tAny
	tUnit
	tArray
	tMap
	tOptional
	tDecl  // a data, enum or alias; args for generic data
	tParam // a type parameter of the enclosing data
)

// gtype is a schema type with its refs resolved.
type gtype struct {
	kind  tkind
	elem  *gtype // array element, map value, optional inner
	key   *gtype // map key
	ref   bool   // an optional held by reference: a Go pointer, not an Option
	decl  *declInfo
	args  []*gtype
	param int
}

func newUniverse(realms []Realm) (*universe, error) {
	u := &universe{byName: map[string]*realmInfo{}, byRef: map[*schema.Optional]bool{}}
	seen := map[string]string{}
	for _, r := range realms {
		ri := u.addRealm(r)
		if ri == nil {
			continue
		}
		if prev, ok := seen[strings.ToLower(ri.name)]; ok {
			u.errs.Add(ri.file, 0, 0, "realm %s: name clashes with realm %s (import paths must differ in more than case)", diag.Quote(ri.name), diag.Quote(prev))
			continue
		}
		seen[strings.ToLower(ri.name)] = ri.name
		u.realms = append(u.realms, ri)
		u.byName[ri.name] = ri
	}
	// Producer names resolve refs written from the producer's point of view,
	// but never shadow a local name.
	for _, ri := range u.realms {
		if _, ok := u.byName[ri.producer]; !ok {
			u.byName[ri.producer] = ri
		}
	}
	slices.SortFunc(u.realms, func(a, b *realmInfo) int { return cmp.Compare(a.name, b.name) })
	// Keep going after bad names, so that one run reports every problem.
	for _, ri := range u.realms {
		for _, m := range ri.modules {
			u.resolveModule(m)
		}
	}
	if len(u.errs) > 0 {
		return nil, u.sorted()
	}
	return u, nil
}

func (u *universe) sorted() diag.List {
	u.errs.Sort()
	return slices.CompactFunc(u.errs, func(a, b diag.Diagnostic) bool { return a == b })
}

// addErr adds a schema.Check error, anchoring diagnostics without a file
// at the realm's schema file.
func (u *universe) addErr(file string, err error) {
	for _, d := range diag.Append(nil, err) {
		if d.File == "" {
			d.File = file
		}
		u.errs = append(u.errs, d)
	}
}

// addRealm indexes the modules and declarations of one realm.
func (u *universe) addRealm(r Realm) *realmInfo {
	ri := &realmInfo{name: r.Name, src: r.Source, file: cmp.Or(r.File, r.Name), byModule: map[string]*moduleInfo{}}
	if err := checkRealmName(r.Name); err != nil {
		u.errs.Add(ri.file, 0, 0, "%v", err)
		return nil
	}
	sr := r.api
	if sr == nil {
		var err error
		if sr, err = schema.Check(r.Schema); err != nil {
			u.addErr(ri.file, err)
			return nil
		}
	}
	ri.producer = sr.GetName()
	for o := range schema.ByReference(r.Schema) {
		u.byRef[o] = true
	}
	for _, m := range sr.GetModules() {
		name := m.GetName()
		mi := &moduleInfo{
			realm: ri, m: m, name: name, dir: name,
			path:  ImportPrefix + "/" + r.Name + "/" + name,
			pkg:   packageName(name),
			types: map[string]*declInfo{},
		}
		u.indexDecls(mi)
		ri.modules = append(ri.modules, mi)
		ri.byModule[name] = mi
	}
	slices.SortFunc(ri.modules, func(a, b *moduleInfo) int { return cmp.Compare(a.name, b.name) })
	return ri
}

// indexDecls indexes a module's declarations by name. schema.Check has
// made each name an identifier declared once per module, whatever the kind,
// as in FTL.
func (u *universe) indexDecls(mi *moduleInfo) {
	for _, d := range mi.m.GetDecls() {
		if d.GetValue() != nil && !schema.IsAPIDecl(d) {
			// Databases, topics, config and secrets ride along in upstream
			// exports; a client has no use for them.
			continue
		}
		di := &declInfo{mod: mi, name: schema.DeclName(d)}
		switch v := d.GetValue().(type) {
		case *schema.Decl_Data:
			di.kind, di.data, di.comments = kindData, v.Data, v.Data.GetComments()
		case *schema.Decl_Enum:
			di.kind, di.enum, di.comments = kindTypeEnum, v.Enum, v.Enum.GetComments()
			if v.Enum.Type != nil {
				di.kind = kindValueEnum
			}
		case *schema.Decl_TypeAlias:
			di.kind, di.alias, di.comments = kindAlias, v.TypeAlias, v.TypeAlias.GetComments()
		case *schema.Decl_Verb:
			// Only verbs exported to other realms can be called from here;
			// the rest are in the public schema only because something
			// refers to them.
			if v.Verb.GetVisibility() == schema.Visibility_VISIBILITY_SCOPE_REALM {
				di.kind, di.verb, di.comments = kindVerb, v.Verb, v.Verb.GetComments()
				mi.verbs = append(mi.verbs, di)
			}
			continue
		default:
			u.errs.Add(mi.realm.file, 0, 0, "%s: unsupported declaration kind", mi.where("decl"))
			continue
		}
		mi.types[di.name] = di
		mi.decls = append(mi.decls, di)
	}
}

func (m *moduleInfo) where(what string) string {
	return fmt.Sprintf("realm %s: module %s: %s", m.realm.name, m.name, what)
}

func (d *declInfo) where(what string) string {
	s := d.kind.String() + " " + d.name
	if what != "" {
		s += ": " + what
	}
	return d.mod.where(s)
}

func (u *universe) errorf(d *declInfo, what, format string, args ...any) {
	u.errs.Add(d.mod.realm.file, 0, 0, "%s: %s", d.where(what), fmt.Sprintf(format, args...))
}

// resolveModule resolves every type of every declaration of m. schema.Check
// has vetted names, enum values and every type within the realm, so what
// can still fail here is a ref into another pinned realm.
func (u *universe) resolveModule(m *moduleInfo) {
	for _, d := range m.decls {
		switch d.kind {
		case kindData:
			u.resolveData(d)
		case kindValueEnum:
			d.underlying = u.resolve(d, "type", d.enum.GetType(), nil)
		case kindTypeEnum:
			u.resolveTypeEnum(d)
		case kindAlias:
			d.aliased = u.resolve(d, "type", d.alias.GetType(), nil)
		}
	}
	for _, d := range m.verbs {
		d.req = u.resolve(d, "request", d.verb.GetRequest(), nil)
		d.resp = u.resolve(d, "response", d.verb.GetResponse(), nil)
	}
}

func (u *universe) resolveData(d *declInfo) {
	params := map[string]int{}
	for i, p := range d.data.GetTypeParameters() {
		params[p.GetName()] = i + 1
		d.params = append(d.params, p.GetName())
	}
	d.needsCmp = make([]bool, len(d.params))
	for _, f := range d.data.GetFields() {
		d.fields = append(d.fields, u.resolve(d, "field "+f.GetName(), f.GetType(), params))
	}
}

func (u *universe) resolveTypeEnum(d *declInfo) {
	for _, v := range d.enum.GetVariants() {
		t := u.resolve(d, "variant "+v.GetName(), v.GetValue().GetTypeValue().GetValue(), nil)
		d.variants = append(d.variants, variant{
			name: v.GetName(), comments: v.GetComments(), t: t,
			standalone: t != nil && t.kind == tDecl && t.decl.kind == kindData &&
				t.decl.mod == d.mod && t.decl.name == v.GetName() && len(t.decl.data.GetTypeParameters()) == 0,
		})
	}
}

// resolve turns a schema type into a gtype, reporting what is malformed.
// params maps the type parameters in scope to their index plus one.
func (u *universe) resolve(d *declInfo, what string, t *schema.Type, params map[string]int) *gtype {
	switch v := t.GetValue().(type) {
	case *schema.Type_Int:
		return &gtype{kind: tInt}
	case *schema.Type_Float:
		return &gtype{kind: tFloat}
	case *schema.Type_String_:
		return &gtype{kind: tString}
	case *schema.Type_Bytes:
		return &gtype{kind: tBytes}
	case *schema.Type_Bool:
		return &gtype{kind: tBool}
	case *schema.Type_Time:
		return &gtype{kind: tTime}
	case *schema.Type_Any:
		return &gtype{kind: tAny}
	case *schema.Type_Unit:
		return &gtype{kind: tUnit}
	case *schema.Type_Array:
		elem := u.resolve(d, what, v.Array.GetElement(), params)
		if elem == nil {
			return nil
		}
		return &gtype{kind: tArray, elem: elem}
	case *schema.Type_Map:
		k := u.resolve(d, what, v.Map.GetKey(), params)
		e := u.resolve(d, what, v.Map.GetValue(), params)
		if k == nil || e == nil {
			return nil
		}
		return &gtype{kind: tMap, key: k, elem: e}
	case *schema.Type_Optional:
		elem := u.resolve(d, what, v.Optional.GetType(), params)
		if elem == nil {
			return nil
		}
		return &gtype{kind: tOptional, elem: elem, ref: u.byRef[v.Optional]}
	case *schema.Type_Ref:
		return u.resolveRef(d, what, v.Ref, params)
	}
	// Unreachable for a checked schema until the schema gains a Type kind,
	// which schema.Check would let through.
	u.errorf(d, what, "missing or unknown type")
	return nil
}

func (u *universe) resolveRef(d *declInfo, what string, r *schema.Ref, params map[string]int) *gtype {
	if r.GetModule() == "" {
		// FTL writes a reference to a type parameter as a ref without module.
		return &gtype{kind: tParam, param: params[r.GetName()] - 1}
	}
	text := schema.RefString(r)
	ri := d.mod.realm
	if realm := r.GetRealm(); realm != "" && realm != ri.name && realm != ri.producer {
		ri = u.byName[realm]
		if ri == nil {
			u.errorf(d, what, "ref %s: realm %s is not pinned in ftl-project.toml (pin it with `ftl-gen-realm realm add %s ...`)", diag.Quote(text), diag.Quote(realm), realm)
			return nil
		}
	}
	mi := ri.byModule[r.GetModule()]
	if mi == nil {
		u.errorf(d, what, "ref %s: realm %s has no module %s", diag.Quote(text), ri.name, diag.Quote(r.GetModule()))
		return nil
	}
	target := mi.types[r.GetName()]
	if target == nil {
		u.errorf(d, what, "ref %s: module %s of realm %s has no data, enum or type alias %s", diag.Quote(text), mi.name, ri.name, diag.Quote(r.GetName()))
		return nil
	}
	want := 0
	if target.kind == kindData {
		want = len(target.data.GetTypeParameters())
	}
	if got := len(r.GetTypeParameters()); got != want {
		u.errorf(d, what, "ref %s: %s takes %d type arguments, got %d", diag.Quote(text), r.GetName(), want, got)
		return nil
	}
	g := &gtype{kind: tDecl, decl: target}
	for _, a := range r.GetTypeParameters() {
		at := u.resolve(d, what, a, params)
		if at == nil {
			return nil
		}
		g.args = append(g.args, at)
	}
	return g
}

// subst replaces type parameters in t by args.
func subst(t *gtype, args []*gtype) *gtype {
	if len(args) == 0 {
		return t
	}
	switch t.kind {
	case tParam:
		return args[t.param]
	case tArray, tOptional:
		return &gtype{kind: t.kind, elem: subst(t.elem, args), ref: t.ref}
	case tMap:
		return &gtype{kind: tMap, key: subst(t.key, args), elem: subst(t.elem, args)}
	case tDecl:
		if len(t.args) == 0 {
			return t
		}
		out := &gtype{kind: tDecl, decl: t.decl, args: make([]*gtype, len(t.args))}
		for i, a := range t.args {
			out.args[i] = subst(a, args)
		}
		return out
	}
	return t
}

// walk calls f on t and every type nested in it.
func walk(t *gtype, f func(*gtype)) {
	f(t)
	if t.key != nil {
		walk(t.key, f)
	}
	if t.elem != nil {
		walk(t.elem, f)
	}
	for _, a := range t.args {
		walk(a, f)
	}
}

// typesOf returns every resolved type d's Go declaration mentions.
func (d *declInfo) typesOf() []*gtype {
	switch d.kind {
	case kindData:
		return d.fields
	case kindAlias:
		return []*gtype{d.aliased}
	case kindValueEnum:
		return []*gtype{d.underlying}
	case kindTypeEnum:
		out := make([]*gtype, len(d.variants))
		for i, v := range d.variants {
			out[i] = v.t
		}
		return out
	case kindVerb:
		return []*gtype{d.req, d.resp}
	}
	return nil
}
