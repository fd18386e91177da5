package schema

import "strings"

// checkType validates a type and every ref in it. what names the type's
// role for a "missing" message, e.g. "type of field memo".
func (v *validator) checkType(c scope, t *Type, what label) {
	switch x := t.GetValue().(type) {
	case nil:
		v.errorf(c, "missing %s", what)
	case *Type_Array:
		v.checkType(c.in(x.Array.GetPos(), label{}), x.Array.GetElement(), label{text: "array element type"})
	case *Type_Map:
		mc := c.in(x.Map.GetPos(), label{})
		v.checkType(mc, x.Map.GetKey(), label{text: "map key type"})
		v.checkType(mc, x.Map.GetValue(), label{text: "map value type"})
		if x.Map.GetKey().GetValue() != nil {
			v.checkMapKey(mc, c.realm, x.Map.GetKey())
		}
	case *Type_Optional:
		v.checkType(c.in(x.Optional.GetPos(), label{}), x.Optional.GetType(), label{text: "optional element type"})
	case *Type_Ref:
		if x.Ref == nil {
			v.errorf(c, "missing %s", what)
			return
		}
		v.checkTypeRef(c, x.Ref)
	}
}

// checkTypeRef validates a ref used as a type: a type parameter of the
// enclosing data (no module), or a data, enum or typealias (never a verb,
// database, topic, config or secret).
func (v *validator) checkTypeRef(c scope, r *Ref) {
	c = c.in(r.GetPos(), label{})
	for _, arg := range r.GetTypeParameters() {
		v.checkType(c, arg, label{text: "type argument of", ref: r})
	}
	if r.GetModule() == "" {
		if r.GetRealm() == "" && c.hasParam(r.GetName()) {
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
	case *Decl_Data:
		want = len(x.Data.GetTypeParameters())
	case *Decl_Enum, *Decl_TypeAlias:
	default:
		kind := DeclKind(d)
		v.errorf(c, "%s is %s %s, not a type", show(RefString(r)), article(kind), kind)
		return
	}
	if got := len(r.GetTypeParameters()); got != want {
		v.errorf(c, "wrong number of type arguments in %s: got %d, want %d", show(RefString(r)), got, want)
	}
}

// checkDeclRef validates a ref in metadata that must name a decl of kind
// want (a +calls target must be a verb, a +database a database, ...),
// anywhere in the schema. role names the ref in messages.
func (v *validator) checkDeclRef(c scope, r *Ref, role, want string) {
	c = c.in(r.GetPos(), label{})
	if r.GetModule() == "" {
		v.errorf(c, "unknown %s %s: no module", role, show(RefString(r)))
		return
	}
	d, _ := v.lookup(c, r)
	if d == nil {
		return
	}
	if kind := DeclKind(d); kind != want {
		if kind != "data" {
			kind = article(kind) + " " + kind
		}
		v.errorf(c, "%s %s is %s, not a %s", role, show(RefString(r)), kind, want)
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
					ac := c.in(m.GetPos(), named("module", m.GetName())).in(alias.GetPos(), named("typealias", alias.GetName()))
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
