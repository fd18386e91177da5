package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
)

const textHeader = "# proto-file: xyz/block/ftl/schema/v1/schema.proto\n# proto-message: xyz.block.ftl.schema.v1.Schema\n"

// marshalText writes protobuf text format with a fixed layout: fields in
// field-number order, two-space indent, `name: value` for scalars and
// `name: {` for messages. prototext is not used because its output varies
// between builds by design.
func marshalText(s *Schema) []byte {
	var b strings.Builder
	b.WriteString(textHeader)
	writeTextMessage(&b, s.ProtoReflect(), 0)
	return []byte(b.String())
}

func writeTextMessage(b *strings.Builder, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	ordered := make([]protoreflect.FieldDescriptor, fields.Len())
	for i := range fields.Len() {
		ordered[i] = fields.Get(i)
	}
	slices.SortFunc(ordered, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number() - b.Number()) })
	for _, fd := range ordered {
		if !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		if fd.IsList() {
			list := v.List()
			for i := range list.Len() {
				writeTextField(b, fd, list.Get(i), depth)
			}
			continue
		}
		writeTextField(b, fd, v, depth)
	}
}

func writeTextField(b *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent)
	b.WriteString(string(fd.Name()))
	if fd.Kind() == protoreflect.MessageKind {
		sub := v.Message()
		var inner strings.Builder
		writeTextMessage(&inner, sub, depth+1)
		if inner.Len() == 0 {
			b.WriteString(": {}\n")
			return
		}
		b.WriteString(": {\n")
		b.WriteString(inner.String())
		b.WriteString(indent)
		b.WriteString("}\n")
		return
	}
	b.WriteString(": ")
	b.WriteString(textScalar(fd, v))
	b.WriteByte('\n')
}

func textScalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return quoteText(v.String())
	case protoreflect.BytesKind:
		return quoteText(string(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
		protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return strconv.FormatInt(v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	panic(fmt.Sprintf("schema: text format of %v not supported", fd.Kind()))
}

// quoteText quotes s as a text-format string: UTF-8 is kept as is, quotes,
// backslashes and control characters are escaped.
func quoteText(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\%03o`, s[i])
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\%03o`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}
