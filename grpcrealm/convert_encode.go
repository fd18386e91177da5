package grpcrealm

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonstr"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// maxNesting bounds how deep a response may nest. An unset message field
// is written as its defaults, so a message that contains itself by value
// would otherwise recurse forever.
const maxNesting = 100

// Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const (
	minTimestamp = -62135596800
	maxTimestamp = 253402300799
)

// encodeResponse writes m as FTL JSON: every field present (those with
// presence as null when unset, the others at their defaults), keys in
// sorted order, as the generated clients expect. It writes the bytes
// straight from the message, with the runtime's rules (jsonstr for
// strings, RFC 3339 times, base64 bytes, shortest floats), the same bytes
// ftlrealm.Marshal writes for the equivalent Go value; building a tree of
// Go values for Marshal took two thirds of the proxy's own time per call.
func (c *codec) encodeResponse(m protoreflect.Message) ([]byte, error) {
	return c.appendMessage(make([]byte, 0, 1024), m, 0)
}

func (c *codec) appendMessage(b []byte, m protoreflect.Message, depth int) ([]byte, error) {
	if depth > maxNesting {
		return nil, convErrorf("nested more than %d deep", maxNesting)
	}
	md := m.Descriptor()
	switch builtinOf(md) {
	case bTimestamp:
		t, err := timestampValue(m)
		if err != nil {
			return nil, err
		}
		b, _ = t.AppendText(append(b, '"')) // in range: cannot fail
		return append(b, '"'), nil
	case bDuration:
		ns, err := durationValue(m)
		return strconv.AppendInt(b, ns, 10), err
	case bEmpty:
		return append(b, "{}"...), nil
	case bWrapper:
		fd := wrapped(md)
		return appendScalar(b, fd, m.Get(fd))
	case bJSON:
		return c.appendJSONValue(b, m, depth)
	case bAny:
		raw, err := protojson.MarshalOptions{Resolver: c.types}.Marshal(m.Interface())
		var v any
		if err == nil {
			// Lossless: Struct's numbers are doubles, and protojson writes
			// the 64-bit integers inside an Any as strings. Decoded and
			// written again, so that its numbers and strings are written
			// as the runtime writes them.
			err = json.Unmarshal(raw, &v)
		}
		if err == nil {
			raw, err = ftlrealm.Marshal(v)
		}
		if err != nil {
			return nil, convErrorf("cannot write %s: %v", md.FullName(), err)
		}
		return append(b, raw...), nil
	}
	mc := c.msg(md)
	b = append(b, '{')
	for i, fi := range mc.sorted {
		fc := &mc.fields[fi]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fc.quotedKey...)
		var err error
		if b, err = c.appendField(b, m, fc, depth); err != nil {
			return nil, at(err, "."+fc.key)
		}
	}
	return append(b, '}'), nil
}

func (c *codec) appendField(b []byte, m protoreflect.Message, fc *fieldCodec, depth int) ([]byte, error) {
	fd := fc.fd
	switch {
	case fd.IsList():
		return c.appendList(b, m.Get(fd).List(), fd, depth)
	case fd.IsMap():
		return c.appendMap(b, m.Get(fd).Map(), fd, depth)
	case (fc.optional || isAnyField(fd)) && !m.Has(fd):
		return append(b, "null"...), nil
	}
	return c.appendValue(b, fd, m.Get(fd), depth)
}

func (c *codec) appendList(b []byte, list protoreflect.List, fd protoreflect.FieldDescriptor, depth int) ([]byte, error) {
	b = append(b, '[')
	for i := range list.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = c.appendValue(b, fd, list.Get(i), depth); err != nil {
			return nil, atIndex(err, i)
		}
	}
	return append(b, ']'), nil
}

// appendMap writes a map with its keys sorted as strings, as the runtime
// does.
func (c *codec) appendMap(b []byte, mm protoreflect.Map, fd protoreflect.FieldDescriptor, depth int) ([]byte, error) {
	type entry struct {
		key string
		val protoreflect.Value
	}
	entries := make([]entry, 0, mm.Len())
	var err error
	mm.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		var key string
		if key, err = mapKeyString(fd.MapKey(), k); err != nil {
			err = atMapKey(err, k.String())
			return false
		}
		entries = append(entries, entry{key, v})
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonstr.Append(b, e.key), ':')
		if b, err = c.appendValue(b, fd.MapValue(), e.val, depth); err != nil {
			return nil, atMapKey(err, e.key)
		}
	}
	return append(b, '}'), nil
}

// appendJSONValue writes a google.protobuf.Struct, Value or ListValue as
// the plain JSON it stands for, as protojson would, with the runtime's
// rules for numbers and strings (a Value's number is a double).
func (c *codec) appendJSONValue(b []byte, m protoreflect.Message, depth int) ([]byte, error) {
	if depth > maxNesting {
		return nil, convErrorf("nested more than %d deep", maxNesting)
	}
	md := m.Descriptor()
	switch md.FullName() {
	case "google.protobuf.Struct":
		fd := md.Fields().ByNumber(1)
		return c.appendMap(b, m.Get(fd).Map(), fd, depth)
	case "google.protobuf.ListValue":
		fd := md.Fields().ByNumber(1)
		return c.appendList(b, m.Get(fd).List(), fd, depth)
	}
	fd := m.WhichOneof(md.Oneofs().Get(0))
	if fd == nil {
		return nil, convErrorf("google.protobuf.Value has no kind set")
	}
	v := m.Get(fd)
	switch fd.Name() {
	case "null_value":
		return append(b, "null"...), nil
	case "number_value":
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, convErrorf("%v cannot be sent: JSON has no NaN or infinity", f)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case "string_value":
		return jsonstr.Append(b, v.String()), nil
	case "bool_value":
		return strconv.AppendBool(b, v.Bool()), nil
	case "struct_value":
		return c.appendJSONValue(b, v.Message(), depth+1)
	default: // list_value
		return c.appendJSONValue(b, v.Message(), depth+1)
	}
}

// isAnyField reports whether fd maps to Any, whose unset value is null
// rather than a default (an empty google.protobuf.Value has none).
func isAnyField(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	return md != nil && (builtinOf(md) == bJSON || builtinOf(md) == bAny)
}

// appendValue writes one value of fd's type.
func (c *codec) appendValue(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) ([]byte, error) {
	if fd.Message() != nil {
		return c.appendMessage(b, v.Message(), depth+1)
	}
	return appendScalar(b, fd, v)
}

func appendScalar(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool()), nil
	case protoreflect.StringKind:
		return jsonstr.Append(b, v.String()), nil
	case protoreflect.BytesKind:
		b = base64.StdEncoding.AppendEncode(append(b, '"'), v.Bytes())
		return append(b, '"'), nil
	case protoreflect.EnumKind:
		return jsonstr.Append(b, encodeEnum(fd.Enum(), v.Enum())), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, convErrorf("%v cannot be sent: JSON has no NaN or infinity", f)
		}
		if fd.Kind() == protoreflect.FloatKind {
			// The shortest float32 text, so that 0.1 stays 0.1 rather
			// than its float64 widening 0.10000000149011612.
			return strconv.AppendFloat(b, f, 'g', -1, 32), nil
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		u := v.Uint()
		if u > math.MaxInt64 {
			return nil, convErrorf("%s value %d does not fit FTL's Int (at most %d)", fd.Kind(), u, int64(math.MaxInt64))
		}
		return strconv.AppendUint(b, u, 10), nil
	}
	return strconv.AppendInt(b, v.Int(), 10), nil // the signed integer kinds
}

// encodeEnum writes an enum value's schema value (enumValue); a number the
// target's descriptor does not know (open enums allow any) as its decimal
// string, which the generated String-valued enum types still decode.
func encodeEnum(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) string {
	if vd := ed.Values().ByNumber(n); vd != nil {
		return enumValue(vd)
	}
	return strconv.Itoa(int(n))
}

// mapKeyString writes a map key as FTL JSON does: strings as themselves,
// integers in decimal, bools as "true" and "false".
func mapKeyString(fd protoreflect.FieldDescriptor, k protoreflect.MapKey) (string, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return k.String(), nil
	case protoreflect.BoolKind:
		return strconv.FormatBool(k.Bool()), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		u := k.Uint()
		if u > math.MaxInt64 {
			return "", convErrorf("%s key %d does not fit FTL's Int (at most %d)", fd.Kind(), u, int64(math.MaxInt64))
		}
		return strconv.FormatUint(u, 10), nil
	}
	return strconv.FormatInt(k.Int(), 10), nil
}

func timestampValue(m protoreflect.Message) (time.Time, error) {
	fields := m.Descriptor().Fields()
	return timestampTime(m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int())
}

// durationValue gives nanoseconds. Duration reaches ±10,000 years, Int
// (int64 nanoseconds) about ±292: beyond that is an error.
func durationValue(m protoreflect.Message) (int64, error) {
	fields := m.Descriptor().Fields()
	return durationNanos(m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int())
}

// durationNanos checks a Duration's seconds and nanos and gives its
// nanoseconds.
func durationNanos(s, n int64) (int64, error) {
	if n <= -1e9 || n >= 1e9 || (s > 0 && n < 0) || (s < 0 && n > 0) {
		return 0, convErrorf("invalid google.protobuf.Duration (seconds %d, nanos %d)", s, n)
	}
	// Seconds and nanos share their sign, so each bound is computed
	// without overflowing itself.
	if (s > 0 && s > (math.MaxInt64-n)/1e9) || (s < 0 && s < (math.MinInt64-n)/1e9) {
		return 0, convErrorf("duration of %d seconds does not fit FTL's Int in nanoseconds (about ±292 years)", s)
	}
	return s*1e9 + n, nil
}
