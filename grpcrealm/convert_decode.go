package grpcrealm

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/ftljson"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// decodeRequest turns an FTL JSON body into a message of type md. An empty
// body or null is the empty message; keys that are not fields are ignored
// (FTL's rule), as are nulls (the field stays unset).
func (c *codec) decodeRequest(md protoreflect.MessageDescriptor, body []byte) (*dynamicpb.Message, error) {
	v, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	m := dynamicpb.NewMessage(md)
	if err := c.decodeInto(m, v); err != nil {
		return nil, err
	}
	return m, nil
}

// parseJSON parses one JSON value, keeping numbers as their text so that
// 64-bit integers survive.
func parseJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	v, err := ftljson.Decode(body)
	if err != nil {
		return nil, convErrorf("invalid JSON: %v", err)
	}
	return v, nil
}

// decodeInto sets m, a message of a builtin or a data type, from v.
func (c *codec) decodeInto(m protoreflect.Message, v any) error {
	md := m.Descriptor()
	switch builtinOf(md) {
	case bTimestamp:
		return decodeTimestamp(m, v)
	case bDuration:
		return decodeDuration(m, v)
	case bEmpty:
		return nil // Unit: whatever was sent, there is nothing to set
	case bWrapper:
		if v == nil {
			return nil
		}
		fd := wrapped(md)
		val, err := decodeScalar(fd, v)
		if err == nil {
			m.Set(fd, val)
		}
		return err
	case bJSON, bAny:
		// Any is any JSON: for Struct, Value and ListValue protojson's form
		// is plain JSON; for Any it is {"@type": …, fields}.
		raw, err := json.Marshal(v)
		if err == nil {
			err = protojson.UnmarshalOptions{Resolver: c.types}.Unmarshal(raw, m.Interface())
		}
		if err != nil {
			return convErrorf("not a valid %s: %v", md.FullName(), err)
		}
		return nil
	}
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return mismatch(v, "an object")
	}
	var setOneofs map[protoreflect.OneofDescriptor]string
	for _, fc := range c.msg(md).fields {
		val := obj[fc.key]
		if val == nil { // absent or null: unset
			continue
		}
		if fc.oneof != nil {
			if other, dup := setOneofs[fc.oneof]; dup {
				return at(convErrorf("oneof %s has %s set already: at most one of its fields may be set", fc.oneof.Name(), other), "."+fc.key)
			}
			if setOneofs == nil {
				setOneofs = map[protoreflect.OneofDescriptor]string{}
			}
			setOneofs[fc.oneof] = fc.key
		}
		if err := c.decodeField(m, fc.fd, val); err != nil {
			return at(err, "."+fc.key)
		}
	}
	return nil
}

func (c *codec) decodeField(m protoreflect.Message, fd protoreflect.FieldDescriptor, v any) error {
	switch {
	case fd.IsList():
		arr, ok := v.([]any)
		if !ok {
			return mismatch(v, "an array")
		}
		list := m.Mutable(fd).List()
		for i, e := range arr {
			val, err := c.decodeValue(fd, e, list.NewElement)
			if err != nil {
				return atIndex(err, i)
			}
			list.Append(val)
		}
	case fd.IsMap():
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(v, "an object")
		}
		mm := m.Mutable(fd).Map()
		// Sorted, so that of several bad entries the same one is reported.
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			key, err := decodeMapKey(fd.MapKey(), k)
			if err != nil {
				return atMapKey(err, k)
			}
			val, err := c.decodeValue(fd.MapValue(), obj[k], mm.NewValue)
			if err != nil {
				return atMapKey(err, k)
			}
			mm.Set(key, val)
		}
	default:
		val, err := c.decodeValue(fd, v, func() protoreflect.Value { return m.NewField(fd) })
		if err != nil {
			return err
		}
		m.Set(fd, val)
	}
	return nil
}

// decodeValue decodes one value of fd's type (an element, a map value or a
// singular field's value); newMsg makes the message a message value goes in.
func (c *codec) decodeValue(fd protoreflect.FieldDescriptor, v any, newMsg func() protoreflect.Value) (protoreflect.Value, error) {
	md := fd.Message()
	if md == nil {
		return decodeScalar(fd, v)
	}
	// Only a JSON null inside an array or map gets here; a protobuf list or
	// map cannot hold an absent message, except Value's own null.
	if v == nil && md.FullName() != "google.protobuf.Value" {
		return protoreflect.Value{}, convErrorf("null is not allowed here")
	}
	val := newMsg()
	if err := c.decodeInto(val.Message(), v); err != nil {
		return protoreflect.Value{}, err
	}
	return val, nil
}

func decodeScalar(fd protoreflect.FieldDescriptor, v any) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := v.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
		return protoreflect.Value{}, mismatch(v, "a boolean")
	case protoreflect.StringKind:
		if s, ok := v.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
		return protoreflect.Value{}, mismatch(v, "a string")
	case protoreflect.BytesKind:
		s, ok := v.(string)
		if !ok {
			return protoreflect.Value{}, mismatch(v, "a base64 string")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return protoreflect.Value{}, convErrorf("bytes are not valid base64: %v", err)
		}
		return protoreflect.ValueOfBytes(b), nil
	case protoreflect.EnumKind:
		s, ok := v.(string)
		if !ok {
			return protoreflect.Value{}, mismatch(v, "an enum value name")
		}
		n, err := decodeEnum(fd.Enum(), s)
		return protoreflect.ValueOfEnum(n), err
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		bits := 64
		if fd.Kind() == protoreflect.FloatKind {
			bits = 32
		}
		num, ok := v.(json.Number)
		if !ok {
			return protoreflect.Value{}, mismatch(v, "a number")
		}
		f, err := strconv.ParseFloat(string(num), bits)
		if err != nil {
			return protoreflect.Value{}, convErrorf("%s is out of range for %s", num, fd.Kind())
		}
		if bits == 32 {
			return protoreflect.ValueOfFloat32(float32(f)), nil
		}
		return protoreflect.ValueOfFloat64(f), nil
	}
	return decodeInt(fd.Kind(), v)
}

// decodeInt decodes a JSON integer into an integer field of kind k, which
// must hold it: out of range is an error, never a wrap.
func decodeInt(k protoreflect.Kind, v any) (protoreflect.Value, error) {
	num, ok := v.(json.Number)
	if !ok {
		return protoreflect.Value{}, mismatch(v, "an integer")
	}
	s := string(num)
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(s, 10, 32)
		return protoreflect.ValueOfInt32(int32(n)), intError(err, s, k)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(s, 10, 64)
		return protoreflect.ValueOfInt64(n), intError(err, s, k)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := strconv.ParseUint(s, 10, 32)
		return protoreflect.ValueOfUint32(uint32(n)), intError(err, s, k)
	default: // uint64, fixed64
		n, err := strconv.ParseUint(s, 10, 64)
		return protoreflect.ValueOfUint64(n), intError(err, s, k)
	}
}

func intError(err error, s string, k protoreflect.Kind) error {
	if err == nil {
		return nil
	}
	var ne *strconv.NumError
	_, signedErr := strconv.ParseInt(s, 10, 64)
	if (errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)) || signedErr == nil { // a negative number for an unsigned kind
		return convErrorf("%s is out of range for %s", s, k)
	}
	return convErrorf("%s is not an integer", s)
}

// decodeEnum takes an enum value's schema value (enumValue: "" for the
// first, the name for the others). The name of the first is taken too, and
// a decimal number for an open enum, since that is how a value unknown to
// the schema comes back in a response (see encodeEnum).
func decodeEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.EnumNumber, error) {
	if s == "" {
		return ed.Values().Get(0).Number(), nil
	}
	if vd := ed.Values().ByName(protoreflect.Name(s)); vd != nil {
		return vd.Number(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 32); err == nil && !ed.IsClosed() {
		return protoreflect.EnumNumber(n), nil
	}
	return 0, convErrorf("unknown value %q of enum %s", s, ed.FullName())
}

func decodeMapKey(fd protoreflect.FieldDescriptor, k string) (protoreflect.MapKey, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(k).MapKey(), nil
	case protoreflect.BoolKind:
		switch k {
		case "true", "false":
			return protoreflect.ValueOfBool(k == "true").MapKey(), nil
		}
		return protoreflect.MapKey{}, convErrorf("map key %q is not true or false", k)
	}
	v, err := decodeInt(fd.Kind(), json.Number(k))
	if err != nil {
		return protoreflect.MapKey{}, convErrorf("map key: %v", err.(*jsonpath.Error).Msg)
	}
	return v.MapKey(), nil
}

func decodeTimestamp(m protoreflect.Message, v any) error {
	if v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return mismatch(v, "an RFC 3339 time string")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return convErrorf("time %q is not RFC 3339", s)
	}
	if t.Unix() < minTimestamp { // year 0 parses; Timestamp starts at year 1
		return convErrorf("time %q is before 0001-01-01, where google.protobuf.Timestamp starts", s)
	}
	fields := m.Descriptor().Fields()
	m.Set(fields.ByNumber(1), protoreflect.ValueOfInt64(t.Unix()))
	m.Set(fields.ByNumber(2), protoreflect.ValueOfInt32(int32(t.Nanosecond())))
	return nil
}

// decodeDuration takes nanoseconds (what FTL's Int holds, and Go's
// time.Duration counts).
func decodeDuration(m protoreflect.Message, v any) error {
	if v == nil {
		return nil
	}
	num, ok := v.(json.Number)
	if !ok {
		return mismatch(v, "an integer (nanoseconds)")
	}
	ns, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return intError(err, string(num), protoreflect.Int64Kind)
	}
	// Go's division truncates, so seconds and nanos get the same sign, as
	// Duration requires.
	fields := m.Descriptor().Fields()
	m.Set(fields.ByNumber(1), protoreflect.ValueOfInt64(ns/1e9))
	m.Set(fields.ByNumber(2), protoreflect.ValueOfInt32(int32(ns%1e9)))
	return nil
}

// mismatch says what v is and what was wanted.
func mismatch(v any, want string) error {
	var got string
	switch v := v.(type) {
	case nil:
		got = "null"
	case bool:
		got = strconv.FormatBool(v)
	case json.Number:
		got = "the number " + string(v)
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		got = "the string " + strconv.Quote(v)
	case []any:
		got = "an array"
	default:
		got = "an object"
	}
	return convErrorf("want %s, got %s", want, got)
}
