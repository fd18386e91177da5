package grpcrealm

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"

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

// encodeResponse writes m as FTL JSON: every field present (optional ones
// as null when unset, the others at their defaults), as the generated
// clients expect. The message becomes a tree of Go values that
// ftlrealm.Marshal encodes, so bytes, times, strings and map keys come out
// exactly as the runtime writes them.
func (c *codec) encodeResponse(m protoreflect.Message) ([]byte, error) {
	v, err := c.messageValue(m, 0)
	if err != nil {
		return nil, err
	}
	return ftlrealm.Marshal(v)
}

func (c *codec) messageValue(m protoreflect.Message, depth int) (any, error) {
	if depth > maxNesting {
		return nil, convErrorf("nested more than %d deep", maxNesting)
	}
	md := m.Descriptor()
	switch builtinOf(md) {
	case bTimestamp:
		return timestampValue(m)
	case bDuration:
		return durationValue(m)
	case bEmpty:
		return map[string]any{}, nil
	case bWrapper:
		fd := wrapped(md)
		return scalarValue(fd, m.Get(fd))
	case bJSON, bAny:
		raw, err := protojson.MarshalOptions{Resolver: c.types}.Marshal(m.Interface())
		var v any
		if err == nil {
			// Lossless: Struct's numbers are doubles, and protojson writes
			// the 64-bit integers inside an Any as strings.
			err = json.Unmarshal(raw, &v)
		}
		if err != nil {
			return nil, convErrorf("cannot write %s: %v", md.FullName(), err)
		}
		return v, nil
	}
	mc := c.msg(md)
	obj := make(map[string]any, len(mc.fields))
	for _, fc := range mc.fields {
		v, err := c.fieldValue(m, fc, depth)
		if err != nil {
			return nil, at(err, "."+fc.key)
		}
		obj[fc.key] = v
	}
	return obj, nil
}

func (c *codec) fieldValue(m protoreflect.Message, fc fieldCodec, depth int) (any, error) {
	fd := fc.fd
	switch {
	case fd.IsList():
		list := m.Get(fd).List()
		arr := make([]any, list.Len())
		for i := range arr {
			v, err := c.value(fd, list.Get(i), depth)
			if err != nil {
				return nil, atIndex(err, i)
			}
			arr[i] = v
		}
		return arr, nil
	case fd.IsMap():
		mm := m.Get(fd).Map()
		obj := make(map[string]any, mm.Len())
		var err error
		mm.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			key, kerr := mapKeyString(fd.MapKey(), k)
			if kerr != nil {
				err = atMapKey(kerr, k.String())
				return false
			}
			obj[key], err = c.value(fd.MapValue(), v, depth)
			if err != nil {
				err = atMapKey(err, key)
			}
			return err == nil
		})
		return obj, err
	case (fc.optional || isAnyField(fd)) && !m.Has(fd):
		return nil, nil
	}
	return c.value(fd, m.Get(fd), depth)
}

// isAnyField reports whether fd maps to Any, whose unset value is null
// rather than a default (an empty google.protobuf.Value has none).
func isAnyField(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	return md != nil && (builtinOf(md) == bJSON || builtinOf(md) == bAny)
}

// value converts one value of fd's type.
func (c *codec) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) (any, error) {
	if fd.Message() != nil {
		return c.messageValue(v.Message(), depth+1)
	}
	return scalarValue(fd, v)
}

func scalarValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) (any, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.BytesKind:
		return v.Bytes(), nil
	case protoreflect.EnumKind:
		return encodeEnum(fd.Enum(), v.Enum()), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, convErrorf("%v cannot be sent: JSON has no NaN or infinity", f)
		}
		if fd.Kind() == protoreflect.FloatKind {
			// The shortest float32 text, so that 0.1 stays 0.1 rather
			// than its float64 widening 0.10000000149011612.
			f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64)
		}
		return f, nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return int64(v.Uint()), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		u := v.Uint()
		if u > math.MaxInt64 {
			return nil, convErrorf("%s value %d does not fit FTL's Int (at most %d)", fd.Kind(), u, int64(math.MaxInt64))
		}
		return int64(u), nil
	}
	return v.Int(), nil // the signed integer kinds
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

func timestampValue(m protoreflect.Message) (any, error) {
	fields := m.Descriptor().Fields()
	s, n := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
	if s < minTimestamp || s > maxTimestamp || n < 0 || n >= 1e9 {
		return nil, convErrorf("invalid google.protobuf.Timestamp (seconds %d, nanos %d)", s, n)
	}
	return time.Unix(s, n).UTC(), nil
}

// durationValue gives nanoseconds. Duration reaches ±10,000 years, Int
// (int64 nanoseconds) about ±292: beyond that is an error.
func durationValue(m protoreflect.Message) (any, error) {
	fields := m.Descriptor().Fields()
	s, n := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
	if n <= -1e9 || n >= 1e9 || (s > 0 && n < 0) || (s < 0 && n > 0) {
		return nil, convErrorf("invalid google.protobuf.Duration (seconds %d, nanos %d)", s, n)
	}
	// Seconds and nanos share their sign, so each bound is computed
	// without overflowing itself.
	if (s > 0 && s > (math.MaxInt64-n)/1e9) || (s < 0 && s < (math.MinInt64-n)/1e9) {
		return nil, convErrorf("duration of %d seconds does not fit FTL's Int in nanoseconds (about ±292 years)", s)
	}
	return s*1e9 + n, nil
}
