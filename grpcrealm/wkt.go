package grpcrealm

import (
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// This file holds the decisions that import and the proxy's conversion must
// make identically: which messages are FTL builtins, when a field is
// optional, and what a field is called. Keeping them in one place is what
// makes the JSON the proxy speaks match the schema import wrote.

// builtin says how a message maps when it is not a data type.
type builtin int

const (
	notBuiltin builtin = iota // a data type
	bTimestamp                // google.protobuf.Timestamp → Time
	bDuration                 // google.protobuf.Duration → Int (nanoseconds)
	bEmpty                    // google.protobuf.Empty → Unit
	bWrapper                  // google.protobuf.*Value wrappers → the wrapped scalar
	bJSON                     // Struct, Value, ListValue → Any (their natural JSON)
	bAny                      // google.protobuf.Any → Any (protojson's {"@type": …} form)
)

var builtins = map[protoreflect.FullName]builtin{
	"google.protobuf.Timestamp":   bTimestamp,
	"google.protobuf.Duration":    bDuration,
	"google.protobuf.Empty":       bEmpty,
	"google.protobuf.DoubleValue": bWrapper,
	"google.protobuf.FloatValue":  bWrapper,
	"google.protobuf.Int64Value":  bWrapper,
	"google.protobuf.UInt64Value": bWrapper,
	"google.protobuf.Int32Value":  bWrapper,
	"google.protobuf.UInt32Value": bWrapper,
	"google.protobuf.BoolValue":   bWrapper,
	"google.protobuf.StringValue": bWrapper,
	"google.protobuf.BytesValue":  bWrapper,
	"google.protobuf.Struct":      bJSON,
	"google.protobuf.Value":       bJSON,
	"google.protobuf.ListValue":   bJSON,
	"google.protobuf.Any":         bAny,
}

// builtinOf classifies a message by its full name (the google.protobuf
// package is reserved, so the name is enough).
func builtinOf(md protoreflect.MessageDescriptor) builtin {
	return builtins[md.FullName()]
}

// wrapped is the value field of a wrapper message.
func wrapped(md protoreflect.MessageDescriptor) protoreflect.FieldDescriptor {
	return md.Fields().ByNumber(1)
}

// realOneof returns the oneof fd is a member of, ignoring the synthetic
// oneofs proto3 `optional` creates.
func realOneof(fd protoreflect.FieldDescriptor) protoreflect.OneofDescriptor {
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return o
	}
	return nil
}

// optionalField reports whether a singular field maps to an Optional: when
// it has presence on the wire, so that a field the caller leaves unset
// reaches the server unset (servers check has_… and behave differently).
// That is every message field except those mapping to Any (which holds null
// itself) unless marked `optional`, every member of a oneof, and every
// scalar with explicit presence (proto3 `optional`, proto2 `optional`,
// editions' explicit presence); never a proto2 `required` field.
func optionalField(fd protoreflect.FieldDescriptor) bool {
	if fd.IsList() || fd.IsMap() || fd.Cardinality() == protoreflect.Required {
		return false
	}
	if fd.ContainingOneof() != nil || fd.HasOptionalKeyword() {
		return true
	}
	if md := fd.Message(); md != nil {
		b := builtinOf(md)
		return b != bJSON && b != bAny
	}
	return fd.HasPresence()
}

// enumValue is the schema value (and JSON form) of an enum value: its name,
// except for the enum's first value, which is "". The first value is what
// a field holds when unset (proto3 requires it to be 0; proto2 and closed
// editions enums default to it), so the zero value of the generated Go type,
// "", is the proto's default, and a request left at Go's zero values
// reaches the server as the proto's defaults.
func enumValue(vd protoreflect.EnumValueDescriptor) string {
	if vd.Index() == 0 {
		return ""
	}
	return string(vd.Name())
}

// fieldKeys returns the schema name (and JSON key) of each field of md, in
// field order: the proto JSON name (lowerCamel, or the json_name option)
// when it is an FTL identifier, else the default JSON name, else the proto
// name; a clash gets the smallest free number appended.
func fieldKeys(md protoreflect.MessageDescriptor) []string {
	fields := md.Fields()
	keys := make([]string, fields.Len())
	taken := map[string]bool{}
	for i := range fields.Len() {
		fd := fields.Get(i)
		key := fd.JSONName()
		if !schema.ValidIdentifier(key) {
			key = jsonCamelCase(string(fd.Name()))
		}
		if !schema.ValidIdentifier(key) {
			key = string(fd.Name())
		}
		keys[i] = modname.Claim(taken, key)
	}
	return keys
}

// jsonCamelCase is protobuf's default JSON name of a field: underscores
// dropped, the letter after one upper-cased.
func jsonCamelCase(s string) string {
	var b []byte
	under := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			under = true
			continue
		}
		if under && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
		under = false
	}
	return string(b)
}
