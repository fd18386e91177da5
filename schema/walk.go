package schema

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// EachRef calls f for every Ref in m (a Schema, Realm, Module, Decl, Type
// or any message of the schema), depth first, fields in number order, a
// ref before the refs it holds.
func EachRef(m proto.Message, f func(*Ref)) {
	eachRef(m.ProtoReflect(), f)
}

// StripPositions clears every position in m, in place: what a schema
// copied out of another realm's file keeps of it is its content, not where
// that realm's source happened to declare it.
func StripPositions(m proto.Message) {
	stripPositions(m.ProtoReflect())
}

const positionName = protoreflect.FullName("xyz.block.ftl.schema.v1.Position")

func stripPositions(m protoreflect.Message) {
	var clear []protoreflect.FieldDescriptor // not while ranging over m
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil:
		case fd.Message().FullName() == positionName && !fd.IsList() && !fd.IsMap():
			clear = append(clear, fd)
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				stripPositions(list.Get(i).Message())
			}
		case fd.IsMap():
			v.Map().Range(func(_ protoreflect.MapKey, e protoreflect.Value) bool {
				if fd.MapValue().Message() != nil {
					stripPositions(e.Message())
				}
				return true
			})
		default:
			stripPositions(v.Message())
		}
		return true
	})
	for _, fd := range clear {
		m.Clear(fd)
	}
}
