package grpcrealm

import (
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonstr"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// codec converts between FTL JSON bodies (runtime/ftlrealm's encoding: Int
// a JSON number, optional absent as null, Time RFC 3339, Bytes base64,
// enums by name) and protobuf messages of the target's types, walking the
// descriptors. It is not protojson, which writes 64-bit integers as
// strings, leaves out unset fields and names durations as "1.5s".
//
// The field names and optionality come from fieldKeys and optionalField,
// the same functions import uses, so the JSON matches the schema.
type codec struct {
	msgs map[protoreflect.FullName]*msgCodec
	// types resolves google.protobuf.Any contents (the target's types).
	types interface {
		protoregistry.MessageTypeResolver
		protoregistry.ExtensionTypeResolver
	}
}

type msgCodec struct {
	fields []fieldCodec
	sorted []int // indexes of fields in the order of their keys, as the runtime writes them
}

type fieldCodec struct {
	fd        protoreflect.FieldDescriptor
	key       string
	quotedKey []byte // `"key":`
	optional  bool
	oneof     protoreflect.OneofDescriptor // a real oneof, or nil
}

// add builds the codecs of md and every message it leads to. The codec is
// read-only once built, so concurrent calls share it without locks.
func (c *codec) add(md protoreflect.MessageDescriptor) {
	if builtinOf(md) != notBuiltin || c.msgs[md.FullName()] != nil {
		return
	}
	mc := &msgCodec{}
	c.msgs[md.FullName()] = mc
	keys := fieldKeys(md)
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		mc.fields = append(mc.fields, fieldCodec{
			fd: fd, key: keys[i], quotedKey: append(jsonstr.Append(nil, keys[i]), ':'),
			optional: optionalField(fd), oneof: realOneof(fd),
		})
		mc.sorted = append(mc.sorted, i)
		if fd.IsMap() {
			fd = fd.MapValue()
		}
		if sub := fd.Message(); sub != nil {
			c.add(sub)
		}
	}
	slices.SortFunc(mc.sorted, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
}

// msg returns md's codec; one missing (which add should rule out) is built
// without being kept, to stay free of data races.
func (c *codec) msg(md protoreflect.MessageDescriptor) *msgCodec {
	if mc := c.msgs[md.FullName()]; mc != nil {
		return mc
	}
	tmp := &codec{msgs: map[protoreflect.FullName]*msgCodec{}}
	tmp.add(md)
	return tmp.msgs[md.FullName()]
}

// convErrorf is a conversion failure at the root of the value; at and its
// helpers put the JSON path in front of it on the way up.
func convErrorf(format string, args ...any) error {
	return jsonpath.Errorf(format, args...)
}

// at prefixes err's path with seg: ".key", "[3]" or `["key"]`.
func at(err error, seg string) error {
	if pe, ok := err.(*jsonpath.Error); ok {
		pe.At(seg)
	}
	return err
}

func atIndex(err error, i int) error     { return at(err, jsonpath.Index(i)) }
func atMapKey(err error, k string) error { return at(err, jsonpath.Key(k)) }
