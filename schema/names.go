package schema

import "strings"

// TypeString renders t as FTL's schema text does: Int Float String Bytes
// Bool Time Any Unit, [T], {K: V}, T?, module.Name<T1, T2>,
// module.name@realm.
func TypeString(t *Type) string {
	var b strings.Builder
	writeType(&b, t)
	return b.String()
}

func writeType(b *strings.Builder, t *Type) {
	switch v := t.GetValue().(type) {
	case *Type_Int:
		b.WriteString("Int")
	case *Type_Float:
		b.WriteString("Float")
	case *Type_String_:
		b.WriteString("String")
	case *Type_Bytes:
		b.WriteString("Bytes")
	case *Type_Bool:
		b.WriteString("Bool")
	case *Type_Time:
		b.WriteString("Time")
	case *Type_Any:
		b.WriteString("Any")
	case *Type_Unit:
		b.WriteString("Unit")
	case *Type_Array:
		b.WriteByte('[')
		writeType(b, v.Array.GetElement())
		b.WriteByte(']')
	case *Type_Map:
		b.WriteByte('{')
		writeType(b, v.Map.GetKey())
		b.WriteString(": ")
		writeType(b, v.Map.GetValue())
		b.WriteByte('}')
	case *Type_Optional:
		writeType(b, v.Optional.GetType())
		b.WriteByte('?')
	case *Type_Ref:
		writeRef(b, v.Ref)
	default:
		b.WriteString("<invalid>")
	}
}

// RefString renders r as module.Name<T...>@realm (the realm only when set).
func RefString(r *Ref) string {
	var b strings.Builder
	writeRef(&b, r)
	return b.String()
}

func writeRef(b *strings.Builder, r *Ref) {
	if r.GetModule() != "" {
		b.WriteString(r.GetModule())
		b.WriteByte('.')
	}
	b.WriteString(r.GetName())
	if params := r.GetTypeParameters(); len(params) > 0 {
		b.WriteByte('<')
		for i, p := range params {
			if i > 0 {
				b.WriteString(", ")
			}
			writeType(b, p)
		}
		b.WriteByte('>')
	}
	if r.GetRealm() != "" {
		b.WriteByte('@')
		b.WriteString(r.GetRealm())
	}
}

// declValue is what every decl message has in common.
type declValue interface {
	GetName() string
	GetPos() *Position
}

// declOf returns the message d holds, or nil.
func declOf(d *Decl) declValue {
	switch v := d.GetValue().(type) {
	case *Decl_Data:
		return v.Data
	case *Decl_Verb:
		return v.Verb
	case *Decl_Enum:
		return v.Enum
	case *Decl_TypeAlias:
		return v.TypeAlias
	case *Decl_Database:
		return v.Database
	case *Decl_Topic:
		return v.Topic
	case *Decl_Config:
		return v.Config
	case *Decl_Secret:
		return v.Secret
	}
	return nil
}

// DeclName returns the name of whichever decl d holds.
func DeclName(d *Decl) string {
	if v := declOf(d); v != nil {
		return v.GetName()
	}
	return ""
}

// DeclPos returns the position of whichever decl d holds, or nil.
func DeclPos(d *Decl) *Position {
	if v := declOf(d); v != nil {
		return v.GetPos()
	}
	return nil
}

// DeclKind names the kind of decl d holds as FTL's schema text does: data,
// verb, enum, typealias, database, topic, config or secret ("decl" when d
// holds nothing).
func DeclKind(d *Decl) string {
	switch d.GetValue().(type) {
	case *Decl_Data:
		return "data"
	case *Decl_Verb:
		return "verb"
	case *Decl_Enum:
		return "enum"
	case *Decl_TypeAlias:
		return "typealias"
	case *Decl_Database:
		return "database"
	case *Decl_Topic:
		return "topic"
	case *Decl_Config:
		return "config"
	case *Decl_Secret:
		return "secret"
	}
	return "decl"
}

// IsAPIDecl reports whether d is one of the decls a realm client can use:
// data, verb, enum or typealias. The others (database, topic, config,
// secret) are a realm's internal wiring; they appear in an upstream export
// when an exported verb uses them and are kept so the file round-trips, but
// code generators and API diffs skip them.
func IsAPIDecl(d *Decl) bool {
	switch d.GetValue().(type) {
	case *Decl_Data, *Decl_Verb, *Decl_Enum, *Decl_TypeAlias:
		return true
	}
	return false
}

// InternalRealms returns the realms of s that are not marked external: the
// realms whose own schema s is.
func InternalRealms(s *Schema) []*Realm {
	var out []*Realm
	for _, r := range s.GetRealms() {
		if !r.GetExternal() {
			out = append(out, r)
		}
	}
	return out
}
