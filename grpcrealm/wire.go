package grpcrealm

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonstr"
)

// The proxy's responses skip dynamicpb: grpc-go hands the response's wire
// bytes to rawCodec, and appendWire writes the FTL JSON straight from them.
// Unmarshalling into a dynamicpb message was the proxy's largest own cost
// after the JSON writing (the profile of BenchmarkProxyOnly), since
// dynamicpb has no fast path.
//
// appendWire handles wire data as real servers write it: each singular
// field once, no groups, known values of closed enums, valid UTF-8. Data
// outside that (which protobuf merges, drops into unknown fields or
// refuses) goes through dynamicpb and appendMessage instead, so the two
// always agree (TestWireMatchesDynamic).

// rawCodec sends requests the proxy has marshalled (*rawMessage) as they
// are, marshals others as protobuf does, and keeps responses as their wire
// bytes (*rawMessage).
type rawCodec struct{}

// rawMessage is a message in wire format.
type rawMessage struct{ b []byte }

var _ encoding.CodecV2 = rawCodec{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*rawMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(m.b)}, nil
	}
	b, err := proto.Marshal(v.(proto.Message))
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*rawMessage).b = data.Materialize()
	return nil
}

// Name is protobuf's codec name: the target sees application/grpc+proto.
func (rawCodec) Name() string { return "proto" }

// encodeWire writes the message of type md in wire format b as FTL JSON,
// as encodeResponse does for the message b holds.
func (c *codec) encodeWire(md protoreflect.MessageDescriptor, b []byte) ([]byte, error) {
	out := make([]byte, 0, 1024)
	if res, ok, err := c.appendWire(out, md, b, 0); ok || err != nil {
		return res, err
	}
	m, err := unmarshalDynamic(md, b)
	if err != nil {
		return nil, convErrorf("invalid protobuf: %v", err)
	}
	return c.appendMessage(out, m, 0)
}

// unmarshalDynamic is proto.Unmarshal into a dynamicpb message, with its
// panics as errors: protobuf-go v1.36.12 panics on a map entry whose key
// has the wrong wire type ("cannot convert nil to map key"; found by
// FuzzWire), and the bytes come from another server.
func unmarshalDynamic(md protoreflect.MessageDescriptor, b []byte) (m *dynamicpb.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("protobuf could not read it: %v", r)
		}
	}()
	m = dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, err
	}
	return m, nil
}

// span is the raw value of one occurrence of a field: the varint, the
// fixed bytes, or the length-delimited contents.
type span struct {
	typ protowire.Type
	set bool // for wireFields: the field was there
	b   []byte
	v   uint64 // a varint or fixed value
}

// appendWire appends the message md in b; ok is false when b is not in
// the form it handles, and the caller falls back to dynamicpb.
func (c *codec) appendWire(out []byte, md protoreflect.MessageDescriptor, b []byte, depth int) (_ []byte, ok bool, err error) {
	if depth > maxNesting {
		return nil, false, convErrorf("nested more than %d deep", maxNesting)
	}
	if kind := builtinOf(md); kind != notBuiltin {
		return c.appendWireBuiltin(out, md, kind, b, depth)
	}
	mc := c.msg(md)
	fields := md.Fields()
	// Every occurrence in wire order, then grouped by field (a counting
	// sort: two allocations per message, whatever its fields).
	type occurrence struct {
		field int
		sp    span
	}
	occ := make([]occurrence, 0, len(mc.fields))
	count := make([]int32, len(mc.fields)+1)
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return nil, false, nil
		}
		b = b[n:]
		sp := span{typ: typ}
		switch typ {
		case protowire.VarintType:
			sp.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			sp.v = uint64(v)
		case protowire.Fixed64Type:
			sp.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			sp.b, n = protowire.ConsumeBytes(b)
		default: // groups
			return nil, false, nil
		}
		if n < 0 {
			return nil, false, nil
		}
		b = b[n:]
		fd := fields.ByNumber(num)
		if fd == nil {
			continue // unknown: not part of the schema
		}
		i := fd.Index()
		if !fd.IsList() && !fd.IsMap() && count[i+1] > 0 {
			return nil, false, nil // protobuf merges or takes the last
		}
		count[i+1]++
		occ = append(occ, occurrence{i, sp})
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	ordered := make([]span, len(occ))
	next := slices.Clone(count[:len(count)-1])
	for _, o := range occ {
		ordered[next[o.field]] = o.sp
		next[o.field]++
	}
	spansOf := func(i int) []span { return ordered[count[i]:count[i+1]] }
	oneofs := md.Oneofs()
	for i := range oneofs.Len() {
		set := 0
		of := oneofs.Get(i).Fields()
		for j := range of.Len() {
			if count[of.Get(j).Index()+1] > count[of.Get(j).Index()] {
				set++
			}
		}
		if set > 1 {
			return nil, false, nil // the last one wins
		}
	}
	out = append(out, '{')
	for k, fi := range mc.sorted {
		fc := &mc.fields[fi]
		if k > 0 {
			out = append(out, ',')
		}
		out = append(out, fc.quotedKey...)
		out, ok, err = c.appendWireField(out, fc, spansOf(fi), depth)
		if err != nil {
			return nil, false, at(err, "."+fc.key)
		}
		if !ok {
			return nil, false, nil
		}
	}
	return append(out, '}'), true, nil
}

func (c *codec) appendWireField(out []byte, fc *fieldCodec, spans []span, depth int) (_ []byte, ok bool, err error) {
	fd := fc.fd
	switch {
	case fd.IsMap():
		return c.appendWireMap(out, fd, spans, depth)
	case fd.IsList():
		out = append(out, '[')
		i := 0
		for _, sp := range spans {
			if sp.typ == protowire.BytesType && fd.Kind() != protoreflect.MessageKind &&
				fd.Kind() != protoreflect.StringKind && fd.Kind() != protoreflect.BytesKind {
				// Packed: the values one after another.
				for p := sp.b; len(p) > 0; i++ {
					var v span
					var n int
					v, n = consumePacked(fd.Kind(), p)
					if n < 0 {
						return nil, false, nil
					}
					p = p[n:]
					if i > 0 {
						out = append(out, ',')
					}
					if out, ok, err = c.appendWireValue(out, fd, v, depth); !ok || err != nil {
						return nil, ok, atIndex(err, i)
					}
				}
				continue
			}
			if i > 0 {
				out = append(out, ',')
			}
			if out, ok, err = c.appendWireValue(out, fd, sp, depth); !ok || err != nil {
				return nil, ok, atIndex(err, i)
			}
			i++
		}
		return append(out, ']'), true, nil
	case len(spans) == 0:
		switch {
		case fc.optional || isAnyField(fd):
			return append(out, "null"...), true, nil
		case fd.Message() != nil: // proto2 required, unset
			return c.appendWire(out, fd.Message(), nil, depth+1)
		}
		out, err = appendScalar(out, fd, fd.Default())
		return out, err == nil, err
	}
	return c.appendWireValue(out, fd, spans[0], depth)
}

// consumeTag is protowire.ConsumeTag, failing (n < 0) on field numbers
// outside the valid range too, which protobuf refuses or treats specially;
// the caller then falls back to dynamicpb.
func consumeTag(b []byte) (protowire.Number, protowire.Type, int) {
	num, typ, n := protowire.ConsumeTag(b)
	if n >= 0 && !num.IsValid() {
		return 0, 0, -1
	}
	return num, typ, n
}

// consumePacked reads one value of kind k from packed data.
func consumePacked(k protoreflect.Kind, b []byte) (span, int) {
	switch k {
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		v, n := protowire.ConsumeFixed32(b)
		return span{typ: protowire.Fixed32Type, v: uint64(v)}, n
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		v, n := protowire.ConsumeFixed64(b)
		return span{typ: protowire.Fixed64Type, v: v}, n
	}
	v, n := protowire.ConsumeVarint(b)
	return span{typ: protowire.VarintType, v: v}, n
}

// appendWireMap writes a map field's entries, keys sorted as strings as
// the runtime does; of repeated keys the last wins, as in protobuf.
func (c *codec) appendWireMap(out []byte, fd protoreflect.FieldDescriptor, spans []span, depth int) (_ []byte, ok bool, err error) {
	type entry struct {
		key string
		val span
	}
	entries := make([]entry, 0, len(spans))
	kfd, vfd := fd.MapKey(), fd.MapValue()
	for _, sp := range spans {
		if sp.typ != protowire.BytesType {
			return nil, false, nil
		}
		f, ok := wireFields(sp.b, 2)
		if !ok {
			return nil, false, nil
		}
		var k protoreflect.Value
		if f[0].set {
			if k, ok = scalarOf(kfd, f[0]); !ok {
				return nil, false, nil
			}
		} else {
			k = kfd.Default()
		}
		ks, err := mapKeyString(kfd, k.MapKey())
		if err != nil {
			return nil, false, atMapKey(err, k.MapKey().String())
		}
		entries = append(entries, entry{ks, f[1]})
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
		if !e.val.set {
			if vfd.Message() != nil {
				out, ok, err = c.appendWire(out, vfd.Message(), nil, depth+1)
			} else {
				out, err = appendScalar(out, vfd, vfd.Default())
				ok = err == nil
			}
		} else {
			out, ok, err = c.appendWireValue(out, vfd, e.val, depth)
		}
		if !ok || err != nil {
			return nil, ok, atMapKey(err, e.key)
		}
	}
	return append(out, '}'), true, nil
}

// appendWireValue writes one value of fd's type from its wire form.
func (c *codec) appendWireValue(out []byte, fd protoreflect.FieldDescriptor, sp span, depth int) (_ []byte, ok bool, err error) {
	if md := fd.Message(); md != nil {
		if sp.typ != protowire.BytesType {
			return nil, false, nil
		}
		return c.appendWire(out, md, sp.b, depth+1)
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		if sp.typ != protowire.BytesType || !utf8.Valid(sp.b) {
			return nil, false, nil
		}
		// Read only, and sp.b outlives the call: no copy needed.
		return jsonstr.Append(out, unsafe.String(unsafe.SliceData(sp.b), len(sp.b))), true, nil
	case protoreflect.BytesKind:
		if sp.typ != protowire.BytesType {
			return nil, false, nil
		}
		out = base64.StdEncoding.AppendEncode(append(out, '"'), sp.b)
		return append(out, '"'), true, nil
	}
	v, ok := scalarOf(fd, sp)
	if !ok {
		return nil, false, nil
	}
	out, err = appendScalar(out, fd, v)
	return out, err == nil, err
}

// scalarOf decodes a numeric, bool or enum value (or a string map key);
// false when its wire type is not the kind's, or a closed enum does not
// know the value (protobuf keeps it as an unknown field).
func scalarOf(fd protoreflect.FieldDescriptor, sp span) (protoreflect.Value, bool) {
	want := protowire.VarintType
	switch fd.Kind() {
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		want = protowire.Fixed32Type
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		want = protowire.Fixed64Type
	case protoreflect.StringKind:
		if sp.typ != protowire.BytesType || !utf8.Valid(sp.b) {
			return protoreflect.Value{}, false
		}
		return protoreflect.ValueOfString(string(sp.b)), true
	}
	if sp.typ != want {
		return protoreflect.Value{}, false
	}
	v := sp.v
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(v != 0), true
	case protoreflect.EnumKind:
		n := protoreflect.EnumNumber(int32(v))
		if fd.Enum().IsClosed() && fd.Enum().Values().ByNumber(n) == nil {
			return protoreflect.Value{}, false
		}
		return protoreflect.ValueOfEnum(n), true
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(v)), true
	case protoreflect.Sint32Kind:
		return protoreflect.ValueOfInt32(int32(protowire.DecodeZigZag(v & math.MaxUint32))), true
	case protoreflect.Uint32Kind:
		return protoreflect.ValueOfUint32(uint32(v)), true
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(v)), true
	case protoreflect.Sint64Kind:
		return protoreflect.ValueOfInt64(protowire.DecodeZigZag(v)), true
	case protoreflect.Uint64Kind:
		return protoreflect.ValueOfUint64(v), true
	case protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(v)), true
	case protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(v)), true
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(math.Float32frombits(uint32(v))), true
	case protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(v), true
	case protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(v)), true
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(math.Float64frombits(v)), true
	}
	return protoreflect.Value{}, false
}
