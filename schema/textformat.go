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
// written in time linear in its size: output goes into chunks that are
// copied once at the end, and the modules are written concurrently (see
// encodeText).
func marshalText(s *Schema) []byte {
	var chunks [][]byte
	size := 0
	encodeText(s, nil, func(c []byte) {
		chunks = append(chunks, c)
		size += len(c)
	})
	out := make([]byte, 0, size)
	for _, c := range chunks {
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
	enc    *textEncoder // for the root writer: where modules are handed to the workers
	handed int          // full chunks handed on to the emitter (root writer)
	pool   *chunkPool   // where chunks come from, when they are recycled
}

type fieldValue struct {
	fd protoreflect.FieldDescriptor
	v  protoreflect.Value
}

// ensure makes room for n more bytes in buf. Chunks come from the pool
// when there is one; else they grow with the output (16 KiB up to 1 MiB),
// so that small outputs stay small.
func (w *textWriter) ensure(n int) {
	if cap(w.buf)-len(w.buf) >= n {
		return
	}
	w.flush()
	if w.pool != nil {
		w.buf = w.pool.get(n)
		return
	}
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
	at := w.open(depth, name)
	if !textFastPath || !w.fast(m, depth+1) {
		w.message(m.ProtoReflect(), depth+1)
	}
	w.close(depth, at)
}

// mark is where a message's fields start: the length of the chunk and the
// number of full chunks so far.
type mark struct{ start, chunk int }

// open writes `name: {` and returns where the fields start, for close.
func (w *textWriter) open(depth int, name string) mark {
	w.ensure(2*depth + len(name) + len(": {}\n"))
	b := appendIndent(w.buf, depth)
	b = append(b, name...)
	w.buf = append(b, ": {\n"...)
	return mark{len(w.buf), w.handed + len(w.chunks)}
}

// close ends the message opened at at: `}`, or `name: {}` when it has no
// fields.
func (w *textWriter) close(depth int, at mark) {
	if len(w.buf) == at.start && w.handed+len(w.chunks) == at.chunk { // nothing written
		w.buf = append(w.buf[:at.start-1], "}\n"...)
		return
	}
	w.ensure(2*depth + len("}\n"))
	w.buf = append(appendIndent(w.buf, depth), "}\n"...)
}

const spaces = "                                                                " // 32 indents

// appendIndent appends depth indents. The writer's hot paths append to a
// local slice and store it back once: every store to w.buf costs a write
// barrier while the garbage collector is marking.
func appendIndent(b []byte, depth int) []byte {
	for depth > len(spaces)/2 {
		b = append(b, spaces...)
		depth -= len(spaces) / 2
	}
	return append(b, spaces[:2*depth]...)
}

func (w *textWriter) field(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	name := fd.Name()
	if fd.Kind() == protoreflect.MessageKind {
		w.sub(depth, string(name), v.Message().Interface())
		return
	}
	w.ensure(2*depth + len(name) + len(": \n") + scalarBound(fd, v))
	w.buf = appendIndent(w.buf, depth)
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
