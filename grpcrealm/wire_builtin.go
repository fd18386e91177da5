package grpcrealm

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonstr"
)

// appendWireBuiltin writes a well-known message from its wire form, as
// appendMessage writes it; google.protobuf.Any (rare, and resolved through
// the target's types) goes through dynamicpb.
func (c *codec) appendWireBuiltin(out []byte, md protoreflect.MessageDescriptor, kind builtin, b []byte, depth int) (_ []byte, ok bool, err error) {
	switch kind {
	case bEmpty:
		if _, ok := wireFields(b, 0); !ok {
			return nil, false, nil
		}
		return append(out, "{}"...), true, nil
	case bTimestamp, bDuration:
		f, ok := wireFields(b, 2)
		if !ok {
			return nil, false, nil
		}
		sec, ok1 := varintField(f[0])
		nanos, ok2 := varintField(f[1])
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		s, n := int64(sec), int64(int32(nanos))
		if kind == bDuration {
			ns, err := durationNanos(s, n)
			if err != nil {
				return nil, false, err
			}
			return strconv.AppendInt(out, ns, 10), true, nil
		}
		t, err := timestampTime(s, n)
		if err != nil {
			return nil, false, err
		}
		out, _ = t.AppendText(append(out, '"')) // in range: cannot fail
		return append(out, '"'), true, nil
	case bWrapper:
		f, ok := wireFields(b, 1)
		if !ok {
			return nil, false, nil
		}
		fd := wrapped(md)
		if !f[0].set {
			out, err = appendScalar(out, fd, fd.Default())
			return out, err == nil, err
		}
		return c.appendWireValue(out, fd, f[0], depth)
	case bJSON:
		return appendWireJSON(out, md.FullName(), b, depth)
	}
	m, err := unmarshalDynamic(md, b)
	if err != nil {
		return nil, false, nil
	}
	out, err = c.appendMessage(out, m, depth)
	return out, err == nil, err
}

// wireFields reads a message whose fields are numbered 1 to n, each at
// most once and not repeated; false for anything else (which dynamicpb then
// reads as protobuf does). Unknown fields are skipped.
func wireFields(b []byte, n int) (f [6]span, ok bool) {
	for len(b) > 0 {
		num, typ, m := consumeTag(b)
		if m < 0 {
			return f, false
		}
		b = b[m:]
		sp := span{typ: typ, set: true}
		switch typ {
		case protowire.VarintType:
			sp.v, m = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, m = protowire.ConsumeFixed32(b)
			sp.v = uint64(v)
		case protowire.Fixed64Type:
			sp.v, m = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			sp.b, m = protowire.ConsumeBytes(b)
		default:
			return f, false
		}
		if m < 0 {
			return f, false
		}
		b = b[m:]
		if num < 1 || int(num) > n {
			continue
		}
		if f[num-1].set {
			return f, false
		}
		f[num-1] = sp
	}
	return f, true
}

// varintField is a varint field's value, 0 when absent.
func varintField(sp span) (uint64, bool) {
	if !sp.set {
		return 0, true
	}
	return sp.v, sp.typ == protowire.VarintType
}

// appendWireJSON writes a google.protobuf.Struct, Value or ListValue from
// its wire form, as appendJSONValue writes the message.
func appendWireJSON(out []byte, name protoreflect.FullName, b []byte, depth int) (_ []byte, ok bool, err error) {
	if depth > maxNesting {
		return nil, false, convErrorf("nested more than %d deep", maxNesting)
	}
	switch name {
	case "google.protobuf.Struct":
		return appendWireStruct(out, b, depth)
	case "google.protobuf.ListValue":
		return appendWireList(out, b, depth)
	}
	f, ok := wireFields(b, 6)
	if !ok {
		return nil, false, nil
	}
	set := -1
	for i, sp := range f {
		if sp.set {
			if set >= 0 {
				return nil, false, nil // the last one wins
			}
			set = i
		}
	}
	if set < 0 {
		return nil, false, convErrorf("google.protobuf.Value has no kind set")
	}
	sp := f[set]
	switch set + 1 {
	case 1: // null_value
		if sp.typ != protowire.VarintType || int32(sp.v) != 0 {
			return nil, false, nil // NullValue is open, but only 0 is null
		}
		return append(out, "null"...), true, nil
	case 2: // number_value
		if sp.typ != protowire.Fixed64Type {
			return nil, false, nil
		}
		v := math.Float64frombits(sp.v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false, convErrorf("%v cannot be sent: JSON has no NaN or infinity", v)
		}
		return strconv.AppendFloat(out, v, 'g', -1, 64), true, nil
	case 3: // string_value
		if sp.typ != protowire.BytesType || !utf8.Valid(sp.b) {
			return nil, false, nil
		}
		return jsonstr.Append(out, string(sp.b)), true, nil
	case 4: // bool_value
		if sp.typ != protowire.VarintType {
			return nil, false, nil
		}
		return strconv.AppendBool(out, sp.v != 0), true, nil
	}
	if sp.typ != protowire.BytesType {
		return nil, false, nil
	}
	if set+1 == 5 {
		return appendWireJSON(out, "google.protobuf.Struct", sp.b, depth+1)
	}
	return appendWireJSON(out, "google.protobuf.ListValue", sp.b, depth+1)
}

func appendWireStruct(out []byte, b []byte, depth int) (_ []byte, ok bool, err error) {
	type entry struct {
		key string
		val []byte
	}
	var entries []entry
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 || typ == protowire.StartGroupType {
			return nil, false, nil
		}
		b = b[n:]
		if num != 1 || typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 || num == 1 {
				return nil, false, nil
			}
			b = b[n:]
			continue
		}
		e, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, false, nil
		}
		b = b[n:]
		f, ok := wireFields(e, 2)
		if !ok || (f[0].set && (f[0].typ != protowire.BytesType || !utf8.Valid(f[0].b))) || (f[1].set && f[1].typ != protowire.BytesType) {
			return nil, false, nil
		}
		var en entry
		if f[0].set {
			en.key = string(f[0].b)
		}
		if f[1].set {
			en.val = f[1].b
		}
		entries = append(entries, en)
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	out = append(out, '{')
	first := true
	for i, e := range entries {
		if i+1 < len(entries) && entries[i+1].key == e.key {
			continue // a later entry has the key
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(jsonstr.Append(out, e.key), ':')
		if out, ok, err = appendWireJSON(out, "google.protobuf.Value", e.val, depth+1); !ok || err != nil {
			return nil, ok, atMapKey(err, e.key)
		}
	}
	return append(out, '}'), true, nil
}

func appendWireList(out []byte, b []byte, depth int) (_ []byte, ok bool, err error) {
	out = append(out, '[')
	for i := 0; len(b) > 0; {
		num, typ, n := consumeTag(b)
		if n < 0 || typ == protowire.StartGroupType {
			return nil, false, nil
		}
		b = b[n:]
		if num != 1 || typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 || num == 1 {
				return nil, false, nil
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, false, nil
		}
		b = b[n:]
		if i > 0 {
			out = append(out, ',')
		}
		if out, ok, err = appendWireJSON(out, "google.protobuf.Value", v, depth+1); !ok || err != nil {
			return nil, ok, atIndex(err, i)
		}
		i++
	}
	return append(out, ']'), true, nil
}

// timestampTime checks a Timestamp's seconds and nanos and makes the time.
func timestampTime(s, n int64) (time.Time, error) {
	if s < minTimestamp || s > maxTimestamp || n < 0 || n >= 1e9 {
		return time.Time{}, convErrorf("invalid google.protobuf.Timestamp (seconds %d, nanos %d)", s, n)
	}
	return time.Unix(s, n).UTC(), nil
}
