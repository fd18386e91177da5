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

// Reached returns the decls of r ("module.Name") that start reaches:
// start's own decls, and every decl their refs into r name, transitively
// (a verb's through its request and response only; refs into other realms
// are not followed). Names in start that r does not declare are left out.
func Reached(r *Realm, start ...string) map[string]bool {
	decls := map[string]*Decl{}
	for _, m := range r.GetModules() {
		for _, d := range m.GetDecls() {
			key := m.GetName() + "." + DeclName(d)
			if _, dup := decls[key]; !dup {
				decls[key] = d
			}
		}
	}
	in := map[string]bool{}
	var queue []string
	add := func(key string) {
		if !in[key] && decls[key] != nil {
			in[key] = true
			queue = append(queue, key)
		}
	}
	for _, key := range start {
		add(key)
	}
	for len(queue) > 0 {
		d := decls[queue[0]]
		queue = queue[1:]
		if v := d.GetVerb(); v != nil {
			d = &Decl{Value: &Decl_Verb{Verb: &Verb{Request: v.GetRequest(), Response: v.GetResponse()}}}
		}
		EachRef(d, func(ref *Ref) {
			if ref.GetModule() != "" && (ref.GetRealm() == "" || ref.GetRealm() == r.GetName()) {
				add(ref.GetModule() + "." + ref.GetName())
			}
		})
	}
	return in
}
