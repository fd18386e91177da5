package gen

import (
	"strconv"
	"strings"
)

// checkComparable decides which type parameters must be constrained
// `comparable` and rejects map keys that Go cannot compare. A type parameter
// used (directly or through other generic types) in a map key needs the
// constraint; every type argument given for such a parameter must then be
// comparable, which may in turn constrain the enclosing type's parameters,
// so this iterates to a fixpoint before reporting.
func (u *universe) checkComparable() {
	var decls []*declInfo
	u.allDecls(func(d *declInfo) { decls = append(decls, d) })
	closed := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, d := range decls {
			for _, t := range d.typesOf() {
				if u.scanCmp(d, t, closed, false) {
					changed = true
				}
			}
		}
	}
	for _, d := range decls {
		for _, t := range d.typesOf() {
			u.scanCmp(d, t, closed, true)
		}
	}
}

// scanCmp walks t, a type in d, marking d's type parameters that must be
// comparable. It reports whether it marked any, and with report set adds a
// diagnostic for every map key or constrained type argument that is not
// comparable.
func (u *universe) scanCmp(d *declInfo, t *gtype, closed map[string]bool, report bool) (changed bool) {
	need := func(k *gtype, why string) {
		var deps []int
		if !isComparable(k, &deps, closed) {
			if report {
				u.errorf(d, "", "%s %s is not comparable in Go", why, typeText(k, d))
			}
			return
		}
		for _, p := range deps {
			if !d.needsCmp[p] {
				d.needsCmp[p] = true
				changed = true
			}
		}
	}
	walk(t, func(t *gtype) {
		switch t.kind {
		case tMap:
			need(t.key, "map key type")
		case tDecl:
			for i, a := range t.args {
				if t.decl.needsCmp[i] {
					need(a, "type argument "+t.decl.params[i]+" of "+t.decl.name+" (used in a map key there):")
				}
			}
		}
	})
	return changed
}

// isComparable reports whether t is comparable in Go, collecting into deps
// the type parameters it is comparable only if they are. closed caches the
// answer for types without type parameters.
func isComparable(t *gtype, deps *[]int, closed map[string]bool) bool {
	switch t.kind {
	case tBytes, tArray, tMap:
		return false
	case tOptional:
		return isComparable(t.elem, deps, closed)
	case tParam:
		*deps = append(*deps, t.param)
		return true
	case tDecl:
		switch t.decl.kind {
		case kindAlias:
			return isComparable(t.decl.aliased, deps, closed)
		case kindData:
			key := ""
			if !hasParam(t) {
				key = typeKey(t)
				if ok, seen := closed[key]; seen {
					return ok
				}
			}
			ok := true
			for _, f := range t.decl.fields {
				if !isComparable(subst(f, t.args), deps, closed) {
					ok = false
					break
				}
			}
			if key != "" {
				closed[key] = ok
			}
			return ok
		}
	}
	return true // scalars, Any and enums (interfaces compare)
}

func hasParam(t *gtype) bool {
	found := false
	walk(t, func(t *gtype) { found = found || t.kind == tParam })
	return found
}

// typeKey identifies a type without type parameters.
func typeKey(t *gtype) string {
	var b strings.Builder
	writeTypeText(&b, t, nil, true)
	return b.String()
}

// typeText renders t as FTL's schema text does, for messages; d names the
// type parameters in scope.
func typeText(t *gtype, d *declInfo) string {
	var b strings.Builder
	writeTypeText(&b, t, d, false)
	return b.String()
}

func writeTypeText(b *strings.Builder, t *gtype, d *declInfo, qualified bool) {
	switch t.kind {
	case tArray:
		b.WriteByte('[')
		writeTypeText(b, t.elem, d, qualified)
		b.WriteByte(']')
	case tMap:
		b.WriteByte('{')
		writeTypeText(b, t.key, d, qualified)
		b.WriteString(": ")
		writeTypeText(b, t.elem, d, qualified)
		b.WriteByte('}')
	case tOptional:
		writeTypeText(b, t.elem, d, qualified)
		b.WriteByte('?')
	case tParam:
		if d != nil && t.param < len(d.params) {
			b.WriteString(d.params[t.param])
		} else {
			b.WriteString("$" + strconv.Itoa(t.param))
		}
	case tDecl:
		b.WriteString(t.decl.mod.name + "." + t.decl.name)
		if len(t.args) > 0 {
			b.WriteByte('<')
			for i, a := range t.args {
				if i > 0 {
					b.WriteString(", ")
				}
				writeTypeText(b, a, d, qualified)
			}
			b.WriteByte('>')
		}
		if qualified || t.decl.mod.realm != nil && d != nil && t.decl.mod.realm != d.mod.realm {
			b.WriteString("@" + t.decl.mod.realm.name)
		}
	default:
		b.WriteString([...]string{"Int", "Float", "String", "Bytes", "Bool", "Time", "Any", "Unit"}[t.kind])
	}
}
