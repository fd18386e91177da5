package schema

import (
	"strings"

	"golang.org/x/mod/module"
)

// checkType validates a type and every ref in it. what names the type's
// role for a "missing" message, e.g. "type of field memo".
func (v *validator) checkType(c scope, t *Type, what string) {
	switch x := t.GetValue().(type) {
	case nil:
		v.errorf(c, "missing %s", what)
	case *Type_Array:
		v.checkType(c.in(x.Array.GetPos(), ""), x.Array.GetElement(), "array element type")
	case *Type_Map:
		mc := c.in(x.Map.GetPos(), "")
		v.checkType(mc, x.Map.GetKey(), "map key type")
		v.checkType(mc, x.Map.GetValue(), "map value type")
		if x.Map.GetKey().GetValue() != nil {
			v.checkMapKey(mc, c.realm, x.Map.GetKey())
		}
	case *Type_Optional:
		v.checkType(c.in(x.Optional.GetPos(), ""), x.Optional.GetType(), "optional element type")
	case *Type_Ref:
		if x.Ref == nil {
			v.errorf(c, "missing %s", what)
			return
		}
		v.checkTypeRef(c, x.Ref)
	}
}

// checkTypeRef validates a ref used as a type: a type parameter of the
// enclosing data (no module), or a data, enum or typealias.
func (v *validator) checkTypeRef(c scope, r *Ref) {
	c = c.in(r.GetPos(), "")
	for _, arg := range r.GetTypeParameters() {
		v.checkType(c, arg, "type argument of "+show(RefString(r)))
	}
	if r.GetModule() == "" {
		if r.GetRealm() == "" && c.params[r.GetName()] {
			if len(r.GetTypeParameters()) > 0 {
				v.errorf(c, "type parameter %s takes no type arguments", show(r.GetName()))
			}
			return
		}
		v.errorf(c, "unknown ref %s: no module, and not a type parameter", show(RefString(r)))
		return
	}
	d, _ := v.lookup(c, r)
	if d == nil {
		return
	}
	want := 0
	switch x := d.GetValue().(type) {
	case *Decl_Verb:
		v.errorf(c, "%s is a verb, not a type", show(RefString(r)))
		return
	case *Decl_Data:
		want = len(x.Data.GetTypeParameters())
	}
	if got := len(r.GetTypeParameters()); got != want {
		v.errorf(c, "wrong number of type arguments in %s: got %d, want %d", show(RefString(r)), got, want)
	}
}

// checkCallRef validates a +calls target: a verb, anywhere in the schema.
func (v *validator) checkCallRef(c scope, r *Ref) {
	c = c.in(r.GetPos(), "")
	if r.GetModule() == "" {
		v.errorf(c, "unknown call target %s: no module", show(RefString(r)))
		return
	}
	d, _ := v.lookup(c, r)
	if d == nil {
		return
	}
	if _, ok := d.GetValue().(*Decl_Verb); !ok {
		kind := DeclKind(d)
		if kind != "data" {
			kind = article(kind) + " " + kind
		}
		v.errorf(c, "call target %s is %s, not a verb", show(RefString(r)), kind)
		return
	}
	if n := len(r.GetTypeParameters()); n > 0 {
		v.errorf(c, "wrong number of type arguments in %s: got %d, want 0", show(RefString(r)), n)
	}
}

// lookup resolves a ref with a module, reporting why it does not resolve.
// It returns the decl and the realm holding it.
func (v *validator) lookup(c scope, r *Ref) (*Decl, *realmInfo) {
	ri, reason := v.resolveRealm(c.realm, r.GetRealm())
	if ri == nil {
		v.errorf(c, "unknown ref %s: %s", show(RefString(r)), reason)
		return nil, nil
	}
	decls, ok := ri.modules[r.GetModule()]
	if !ok {
		v.errorf(c, "unknown ref %s: no module %s in realm %s", show(RefString(r)), show(r.GetModule()), show(ri.realm.GetName()))
		return nil, nil
	}
	d := decls[r.GetName()]
	if d == nil {
		v.errorf(c, "unknown ref %s: module %s has no decl %s", show(RefString(r)), show(r.GetModule()), show(r.GetName()))
		return nil, nil
	}
	return d, ri
}

// resolveRealm finds the realm a ref points into: its own when realm is
// empty or names it, else another realm of the schema.
func (v *validator) resolveRealm(own *realmInfo, realm string) (*realmInfo, string) {
	if realm == "" || realm == own.realm.GetName() {
		return own, ""
	}
	if ri := v.realms[realm]; ri != nil {
		return ri, ""
	}
	return nil, "no realm " + show(realm) + " in the schema"
}

// resolveQuiet resolves a ref without reporting anything; the ref's own
// check reports its problems.
func (v *validator) resolveQuiet(own *realmInfo, r *Ref) (*Decl, *realmInfo) {
	if r.GetModule() == "" {
		return nil, nil
	}
	ri, _ := v.resolveRealm(own, r.GetRealm())
	if ri == nil {
		return nil, nil
	}
	if d := ri.modules[r.GetModule()][r.GetName()]; d != nil {
		return d, ri
	}
	return nil, nil
}

// checkMapKey allows String, Int, and value enums or typealiases of them:
// the keys Go can compare and JSON can carry as object keys.
func (v *validator) checkMapKey(c scope, ri *realmInfo, key *Type) {
	if legal, known := v.legalKey(ri, key, map[*Decl]bool{}); known && !legal {
		v.errorf(c, "invalid map key type %s (want String, Int or a value enum)", show(TypeString(key)))
	}
}

func (v *validator) legalKey(ri *realmInfo, t *Type, seen map[*Decl]bool) (legal, known bool) {
	switch x := t.GetValue().(type) {
	case *Type_String_, *Type_Int:
		return true, true
	case *Type_Ref:
		if x.Ref == nil {
			return false, false
		}
		if x.Ref.GetModule() == "" {
			return false, true // a type parameter: any type, so not comparable
		}
		d, dri := v.resolveQuiet(ri, x.Ref)
		if d == nil || seen[d] {
			return false, false
		}
		seen[d] = true
		switch y := d.GetValue().(type) {
		case *Decl_Enum:
			switch y.Enum.GetType().GetValue().(type) {
			case *Type_String_, *Type_Int:
				return true, true
			}
		case *Decl_TypeAlias:
			return v.legalKey(dri, y.TypeAlias.GetType(), seen)
		}
	case nil:
		return false, false
	}
	return false, true
}

// checkAliasCycles reports typealiases that are, through other aliases,
// their own type: no language can declare them.
func (v *validator) checkAliasCycles(c scope, ri *realmInfo) {
	for _, m := range ri.realm.GetModules() {
		if ri.modules[m.GetName()] == nil {
			continue
		}
		for _, d := range m.GetDecls() {
			alias := d.GetTypeAlias()
			if alias == nil || ri.modules[m.GetName()][alias.GetName()] != d {
				continue
			}
			path := []string{show(m.GetName() + "." + alias.GetName())}
			seen := map[*Decl]bool{d: true}
			cur, curRealm := alias, ri
			for {
				r := cur.GetType().GetRef()
				if r == nil {
					break
				}
				next, nextRealm := v.resolveQuiet(curRealm, r)
				if next.GetTypeAlias() == nil {
					break
				}
				path = append(path, show(RefString(&Ref{Module: r.GetModule(), Name: r.GetName(), Realm: r.GetRealm()})))
				if next == d {
					ac := c.in(m.GetPos(), "module "+show(m.GetName())).in(alias.GetPos(), "typealias "+show(alias.GetName()))
					v.errorf(ac, "typealias cycle: %s", strings.Join(path, " -> "))
					break
				}
				if seen[next] {
					break // a cycle not through d; reported from its own members
				}
				seen[next] = true
				cur, curRealm = next.GetTypeAlias(), nextRealm
			}
		}
	}
}

// place is where metadata is attached; each allows different kinds.
type place int

const (
	placeModule place = iota
	placeVerb
	placeData
	placeField
	placeTypeAlias
)

// allowed lists the metadata kinds each place accepts. Upstream FTL allows
// +calls only on verbs, only +alias on fields and only +typemap on
// typealiases; module metadata of these kinds means nothing.
var allowed = map[place]map[string]bool{
	placeModule:    {},
	placeVerb:      {"+calls": true, "+alias": true, "+typemap": true, "+encoding": true},
	placeData:      {"+alias": true, "+typemap": true, "+encoding": true},
	placeField:     {"+alias": true},
	placeTypeAlias: {"+typemap": true},
}

func (v *validator) checkMetadata(c scope, owner string, at place, mds []*Metadata) {
	seen := map[string]bool{}
	for _, md := range mds {
		kind, key := "", ""
		mc := c
		switch x := md.GetValue().(type) {
		case nil:
			v.errorf(c, "empty metadata on %s", owner)
			continue
		case *Metadata_Calls:
			kind, key = "+calls", "+calls"
			mc = c.in(x.Calls.GetPos(), "")
			if len(x.Calls.GetCalls()) == 0 {
				v.errorf(mc, "+calls on %s lists no verbs", owner)
			}
			for _, r := range x.Calls.GetCalls() {
				v.checkCallRef(mc, r)
			}
		case *Metadata_Alias:
			kind = "+alias"
			mc = c.in(x.Alias.GetPos(), "")
			name, known := AliasKind_name[int32(x.Alias.GetKind())]
			switch {
			case x.Alias.GetKind() == AliasKind_ALIAS_KIND_UNSPECIFIED:
				v.errorf(mc, "+alias on %s has no kind", owner)
			case !known:
				v.errorf(mc, "+alias on %s has unknown kind %d", owner, x.Alias.GetKind())
			}
			key = "+alias " + strings.ToLower(strings.TrimPrefix(name, "ALIAS_KIND_"))
			if x.Alias.GetAlias() == "" {
				v.errorf(mc, "empty +alias on %s", owner)
			}
		case *Metadata_TypeMap:
			kind = "+typemap"
			mc = c.in(x.TypeMap.GetPos(), "")
			runtime, native := x.TypeMap.GetRuntime(), x.TypeMap.GetNativeName()
			key = "+typemap " + show(runtime)
			if !ValidIdentifier(runtime) {
				v.errorf(mc, "invalid +typemap runtime %q on %s: not an identifier", runtime, owner)
			} else if reason := checkNativeName(runtime, native); reason != "" {
				v.errorf(mc, "invalid +typemap %s native name %q on %s: %s", runtime, native, owner, reason)
			}
		case *Metadata_Encoding:
			kind, key = "+encoding", "+encoding"
			mc = c.in(x.Encoding.GetPos(), "")
			if t := x.Encoding.GetType(); t != "" && t != "json" {
				v.errorf(mc, "unknown +encoding %q on %s (want json)", t, owner)
			}
		}
		if !allowed[at][kind] {
			v.errorf(mc, "%s is not allowed on %s", kind, owner)
			continue
		}
		if seen[key] {
			v.errorf(mc, "duplicate %s on %s", key, owner)
		}
		seen[key] = true
	}
}

// checkNativeName checks a +typemap native type name. For Go it is what
// FTL's Go runtime writes and generated code imports: import/path.Type, or
// import/path.pkgname.Type when the package name differs from the path.
func checkNativeName(runtime, native string) string {
	if native == "" {
		return "empty"
	}
	if strings.ContainsFunc(native, func(r rune) bool { return r < ' ' || r == 0x7f || r == '"' || r == '\\' }) {
		return "contains a control character, quote or backslash"
	}
	if runtime != "go" {
		return ""
	}
	dot := strings.LastIndexByte(native, '.')
	if dot < 0 || !ValidIdentifier(native[dot+1:]) {
		return "want import/path.Type"
	}
	if err := module.CheckImportPath(native[:dot]); err != nil {
		return "want import/path.Type"
	}
	return ""
}
