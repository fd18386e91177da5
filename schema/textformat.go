package schema

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
)

const textHeader = "# proto-file: xyz/block/ftl/schema/v1/schema.proto\n# proto-message: xyz.block.ftl.schema.v1.Schema\n"

// marshalText writes protobuf text format with a fixed layout: fields in
// field-number order, two-space indent, `name: value` for scalars and
// `name: {` for messages. prototext is not used because its output varies
// between builds by design.
//
// A large schema (a realm of thousands of decls, megabytes of text) is
// written in time linear in its size: output goes into fixed-size chunks
// that are copied once at the end, and the modules of a realm are written
// concurrently.
func marshalText(s *Schema) []byte {
	w := &textWriter{}
	w.ensure(len(textHeader))
	w.buf = append(w.buf, textHeader...)
	if !textFastPath || !w.fast(s, 0) {
		w.message(s.ProtoReflect(), 0)
	}
	w.flush()
	out := make([]byte, 0, w.size)
	for _, c := range w.chunks {
		out = append(out, c...)
	}
	return out
}

// textWriter appends to buf, a chunk that is never grown: ensure starts a
// new one when the next write might not fit.
type textWriter struct {
	buf    []byte
	chunks [][]byte     // full chunks, in order
	size   int          // bytes in chunks
	fields []fieldValue // scratch: the populated fields of the messages being written
}

type fieldValue struct {
	fd protoreflect.FieldDescriptor
	v  protoreflect.Value
}

// ensure makes room for n more bytes in buf. Chunks grow with the output
// (16 KiB up to 1 MiB), so that small outputs stay small.
func (w *textWriter) ensure(n int) {
	if cap(w.buf)-len(w.buf) >= n {
		return
	}
	w.flush()
	w.buf = make([]byte, 0, max(n, min(max(w.size, 16<<10), 1<<20)))
}

func (w *textWriter) flush() {
	if len(w.buf) > 0 {
		w.chunks = append(w.chunks, w.buf)
		w.size += len(w.buf)
	}
	w.buf = nil
}

func (w *textWriter) message(m protoreflect.Message, depth int) {
	// Range visits only populated fields (a oneof costs one check, not one
	// per member), in an unspecified order; sort them by number.
	start := len(w.fields)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		w.fields = append(w.fields, fieldValue{fd, v})
		return true
	})
	if n := len(w.fields) - start; n > 1 {
		slices.SortFunc(w.fields[start:], func(a, b fieldValue) int { return int(a.fd.Number() - b.fd.Number()) })
	}
	for i := start; i < len(w.fields); i++ {
		fd, v := w.fields[i].fd, w.fields[i].v
		if fd.IsList() {
			list := v.List()
			for j := range list.Len() {
				w.field(fd, list.Get(j), depth)
			}
			continue
		}
		w.field(fd, v, depth)
	}
	w.fields = w.fields[:start]
}

// sub writes a message field, `name: {` ... `}`, or `name: {}` when the
// message is empty; its fields by the fast path when it knows the type,
// else by reflection.
func (w *textWriter) sub(depth int, name string, m protoreflect.ProtoMessage) {
	w.ensure(2*depth + len(name) + len(": {}\n"))
	w.indent(depth)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ": {\n"...)
	start, chunk := len(w.buf), len(w.chunks)
	if !textFastPath || !w.fast(m, depth+1) {
		w.message(m.ProtoReflect(), depth+1)
	}
	if len(w.buf) == start && len(w.chunks) == chunk { // nothing written
		w.buf = append(w.buf[:start-1], "}\n"...)
		return
	}
	w.ensure(2*depth + len("}\n"))
	w.indent(depth)
	w.buf = append(w.buf, "}\n"...)
}

const spaces = "                                                                " // 32 indents

func (w *textWriter) indent(depth int) {
	for depth > len(spaces)/2 {
		w.buf = append(w.buf, spaces...)
		depth -= len(spaces) / 2
	}
	w.buf = append(w.buf, spaces[:2*depth]...)
}

func (w *textWriter) field(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	name := fd.Name()
	if fd.Kind() == protoreflect.MessageKind {
		w.sub(depth, string(name), v.Message().Interface())
		return
	}
	w.ensure(2*depth + len(name) + len(": \n") + scalarBound(fd, v))
	w.indent(depth)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ": "...)
	w.buf = appendScalar(w.buf, fd, v)
	w.buf = append(w.buf, '\n')
}

// scalarBound is the most bytes appendScalar can write for v.
func scalarBound(fd protoreflect.FieldDescriptor, v protoreflect.Value) int {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return 2 + 4*len(v.String()) // every byte escaped as \ooo
	case protoreflect.BytesKind:
		return 2 + 4*len(v.Bytes())
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return len(ev.Name())
		}
	}
	return 32 // numbers and bools
}

func appendScalar(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return appendQuoted(b, v.String())
	case protoreflect.BytesKind:
		return appendQuoted(b, string(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return append(b, ev.Name()...)
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10)
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool())
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
		protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return strconv.AppendInt(b, v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return strconv.AppendUint(b, v.Uint(), 10)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return strconv.AppendFloat(b, v.Float(), 'g', -1, 64)
	}
	panic(fmt.Sprintf("schema: text format of %v not supported", fd.Kind()))
}

// appendQuoted appends s quoted as a text-format string: UTF-8 is kept as
// is, quotes, backslashes and control characters are escaped.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	if plainText(s) {
		return append(append(b, s...), '"')
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = fmt.Appendf(b, `\%03o`, s[i])
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20 || r == 0x7f:
			b = fmt.Appendf(b, `\%03o`, r)
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// plainText reports whether s needs no escaping: printable ASCII without
// quotes or backslashes, the common case of names and file names.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
