package schema

import (
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// textFastPath turns on fast: the text encoder writes the message types a
// realm's API is made of without reflection. Tests turn it off to check
// that both ways write the same bytes.
var textFastPath = true

// fast writes m's fields in field-number order, leaving out unset ones as
// the reflective encoder does, when m is one of the message types of a
// realm's API; it reports false, having written nothing, for any other
// type (databases, topics, most metadata), which is then written by
// reflection. It is several times faster than reflection, which matters
// for realms of thousands of decls.
func (w *textWriter) fast(m protoreflect.ProtoMessage, d int) bool {
	switch x := m.(type) {
	case *Schema:
		w.pos(d, x.GetPos())
		subs(w, d, "realms", x.GetRealms())
	case *Realm:
		w.pos(d, x.GetPos())
		w.boolean(d, "external", x.GetExternal())
		w.str(d, "name", x.GetName())
		w.modules(d, x.GetModules())
	case *Module:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.boolean(d, "builtin", x.GetBuiltin())
		w.str(d, "name", x.GetName())
		subs(w, d, "decls", x.GetDecls())
		subs(w, d, "metadata", x.GetMetadata())
	case *Decl:
		switch v := x.GetValue().(type) {
		case nil:
		case *Decl_Data:
			w.sub(d, "data", v.Data)
		case *Decl_Verb:
			w.sub(d, "verb", v.Verb)
		case *Decl_Enum:
			w.sub(d, "enum", v.Enum)
		case *Decl_TypeAlias:
			w.sub(d, "type_alias", v.TypeAlias)
		default:
			return false
		}
	case *Data:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.enum(d, "visibility", int32(x.GetVisibility()), x.GetVisibility().String())
		w.str(d, "name", x.GetName())
		subs(w, d, "type_parameters", x.GetTypeParameters())
		subs(w, d, "fields", x.GetFields())
		subs(w, d, "metadata", x.GetMetadata())
	case *TypeParameter:
		w.pos(d, x.GetPos())
		w.str(d, "name", x.GetName())
	case *Field:
		w.pos(d, x.GetPos())
		w.str(d, "name", x.GetName())
		w.strs(d, "comments", x.GetComments())
		w.opt(d, "type", x.GetType())
		subs(w, d, "metadata", x.GetMetadata())
	case *Verb:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.enum(d, "visibility", int32(x.GetVisibility()), x.GetVisibility().String())
		w.str(d, "name", x.GetName())
		w.opt(d, "request", x.GetRequest())
		w.opt(d, "response", x.GetResponse())
		subs(w, d, "metadata", x.GetMetadata())
	case *Enum:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.enum(d, "visibility", int32(x.GetVisibility()), x.GetVisibility().String())
		w.str(d, "name", x.GetName())
		w.opt(d, "type", x.GetType())
		subs(w, d, "variants", x.GetVariants())
	case *EnumVariant:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.str(d, "name", x.GetName())
		if x.GetValue() != nil {
			w.sub(d, "value", x.GetValue())
		}
	case *Value:
		switch v := x.GetValue().(type) {
		case nil:
		case *Value_StringValue:
			w.sub(d, "string_value", v.StringValue)
		case *Value_IntValue:
			w.sub(d, "int_value", v.IntValue)
		case *Value_TypeValue:
			w.sub(d, "type_value", v.TypeValue)
		default:
			return false
		}
	case *StringValue:
		w.pos(d, x.GetPos())
		w.str(d, "value", x.GetValue())
	case *IntValue:
		w.pos(d, x.GetPos())
		w.i64(d, "value", x.GetValue())
	case *TypeValue:
		w.pos(d, x.GetPos())
		w.opt(d, "value", x.GetValue())
	case *TypeAlias:
		w.pos(d, x.GetPos())
		w.strs(d, "comments", x.GetComments())
		w.enum(d, "visibility", int32(x.GetVisibility()), x.GetVisibility().String())
		w.str(d, "name", x.GetName())
		w.opt(d, "type", x.GetType())
		subs(w, d, "metadata", x.GetMetadata())
	case *Type:
		return w.fastType(x, d)
	case *Int, *Float, *String, *Bytes, *Bool, *Time, *Any, *Unit:
		w.pos(d, x.(interface{ GetPos() *Position }).GetPos())
	case *Ref:
		w.pos(d, x.GetPos())
		w.str(d, "name", x.GetName())
		w.str(d, "module", x.GetModule())
		subs(w, d, "type_parameters", x.GetTypeParameters())
		w.str(d, "realm", x.GetRealm())
	case *Array:
		w.pos(d, x.GetPos())
		w.opt(d, "element", x.GetElement())
	case *Map:
		w.pos(d, x.GetPos())
		w.opt(d, "key", x.GetKey())
		w.opt(d, "value", x.GetValue())
	case *Optional:
		w.pos(d, x.GetPos())
		w.opt(d, "type", x.GetType())
	case *Metadata:
		switch v := x.GetValue().(type) {
		case nil:
		case *Metadata_Calls:
			w.sub(d, "calls", v.Calls)
		case *Metadata_Alias:
			w.sub(d, "alias", v.Alias)
		case *Metadata_TypeMap:
			w.sub(d, "type_map", v.TypeMap)
		default:
			return false
		}
	case *MetadataCalls:
		w.pos(d, x.GetPos())
		subs(w, d, "calls", x.GetCalls())
	case *MetadataAlias:
		w.pos(d, x.GetPos())
		w.enum(d, "kind", int32(x.GetKind()), x.GetKind().String())
		w.str(d, "alias", x.GetAlias())
	case *MetadataTypeMap:
		w.pos(d, x.GetPos())
		w.str(d, "runtime", x.GetRuntime())
		w.str(d, "native_name", x.GetNativeName())
	case *Position:
		w.str(d, "filename", x.GetFilename())
		w.i64(d, "line", x.GetLine())
		w.i64(d, "column", x.GetColumn())
	default:
		return false
	}
	return true
}

func (w *textWriter) fastType(t *Type, d int) bool {
	switch v := t.GetValue().(type) {
	case nil:
	case *Type_Int:
		w.leaf(d, "int", v.Int.GetPos())
	case *Type_Float:
		w.leaf(d, "float", v.Float.GetPos())
	case *Type_String_:
		w.leaf(d, "string", v.String_.GetPos())
	case *Type_Bytes:
		w.leaf(d, "bytes", v.Bytes.GetPos())
	case *Type_Bool:
		w.leaf(d, "bool", v.Bool.GetPos())
	case *Type_Time:
		w.leaf(d, "time", v.Time.GetPos())
	case *Type_Array:
		w.sub(d, "array", v.Array)
	case *Type_Map:
		w.sub(d, "map", v.Map)
	case *Type_Any:
		w.leaf(d, "any", v.Any.GetPos())
	case *Type_Unit:
		w.leaf(d, "unit", v.Unit.GetPos())
	case *Type_Ref:
		w.sub(d, "ref", v.Ref)
	case *Type_Optional:
		w.sub(d, "optional", v.Optional)
	default:
		return false
	}
	return true
}

// subs writes a repeated message field, one `name: {...}` per element.
func subs[M protoreflect.ProtoMessage](w *textWriter, d int, name string, list []M) {
	for _, m := range list {
		w.sub(d, name, m)
	}
}

// leaf writes a message field of a kind that holds only a position (Int,
// String, Unit, ...): `name: {}` when it has none.
func (w *textWriter) leaf(d int, name string, p *Position) {
	if p == nil {
		w.ensure(2*d + len(name) + len(": {}\n"))
		b := appendIndent(w.buf, d)
		b = append(b, name...)
		w.buf = append(b, ": {}\n"...)
		return
	}
	at := w.open(d, name)
	w.pos(d+1, p)
	w.close(d, at)
}

// pos writes an optional position field, in one piece: positions are most
// of a realm's text.
func (w *textWriter) pos(d int, p *Position) {
	if p == nil {
		return
	}
	file, line, col := p.GetFilename(), p.GetLine(), p.GetColumn()
	// Four lines at most, two at depth d and two at d+1 (filename, line and
	// column; never more than three of them), with the quoted file name
	// and two numbers.
	w.ensure(3*(2*d+2) + 2*(2*d) + len("pos: {\nfilename: \nline: \ncolumn: \n}\n") + 2 + 4*len(file) + 2*20)
	b := appendIndent(w.buf, d)
	if file == "" && line == 0 && col == 0 {
		w.buf = append(b, "pos: {}\n"...)
		return
	}
	b = append(b, "pos: {\n"...)
	if file != "" {
		b = append(appendIndent(b, d+1), "filename: "...)
		b = append(appendQuoted(b, file), '\n')
	}
	if line != 0 {
		b = append(appendIndent(b, d+1), "line: "...)
		b = append(strconv.AppendInt(b, line, 10), '\n')
	}
	if col != 0 {
		b = append(appendIndent(b, d+1), "column: "...)
		b = append(strconv.AppendInt(b, col, 10), '\n')
	}
	w.buf = append(appendIndent(b, d), "}\n"...)
}

// opt writes a message field that is set when non-nil.
func (w *textWriter) opt(d int, name string, t *Type) {
	if t != nil {
		at := w.open(d, name)
		if !textFastPath || !w.fastType(t, d+1) {
			w.message(t.ProtoReflect(), d+1)
		}
		w.close(d, at)
	}
}

// scalar writes `name: ` and the text append gives, reserving room for n
// bytes of it.
func (w *textWriter) scalar(d int, name string, n int, text func([]byte) []byte) {
	w.ensure(2*d + len(name) + len(": \n") + n)
	b := appendIndent(w.buf, d)
	b = append(b, name...)
	b = append(b, ": "...)
	w.buf = append(text(b), '\n')
}

// str writes a string field unless it is empty (unset in proto3).
func (w *textWriter) str(d int, name, s string) {
	if s != "" {
		w.quoted(d, name, s)
	}
}

// strs writes a repeated string field, empty elements included.
func (w *textWriter) strs(d int, name string, list []string) {
	for _, s := range list {
		w.quoted(d, name, s)
	}
}

// quoted writes a string field (as scalar does, without the indirect call:
// names and comments are many).
func (w *textWriter) quoted(d int, name, s string) {
	w.ensure(2*d + len(name) + len(": \n") + 2 + 4*len(s))
	b := appendIndent(w.buf, d)
	b = append(b, name...)
	b = append(b, ": "...)
	w.buf = append(appendQuoted(b, s), '\n')
}

func (w *textWriter) i64(d int, name string, n int64) {
	if n != 0 {
		w.scalar(d, name, 20, func(b []byte) []byte { return strconv.AppendInt(b, n, 10) })
	}
}

func (w *textWriter) boolean(d int, name string, v bool) {
	if v {
		w.scalar(d, name, 4, func(b []byte) []byte { return append(b, "true"...) })
	}
}

// enum writes an enum field unless it is zero, as its value's name (text,
// from the enum's String method).
func (w *textWriter) enum(d int, name string, n int32, text string) {
	if n != 0 {
		w.scalar(d, name, len(text), func(b []byte) []byte { return append(b, text...) })
	}
}
