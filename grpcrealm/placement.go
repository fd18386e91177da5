package grpcrealm

import (
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// schemaPlacement finds where realm r, a schema import wrote, put each
// message and enum that the services svcs (the target's) reach: it walks
// every verb's request and response types in the schema alongside the
// method's descriptors, field by field.
//
// Which module a type lands in depends on which services were imported
// with it (a type two services use is shared), so a schema imported from a
// .proto file with several services places types differently from the
// target's reflection when it serves only some of them. The proxy maps the
// target with these places fixed, so that its check compares the wire
// types themselves: a type the schema has as shared.Empty and the target's
// one service would have as testservice.Empty is the same type.
func schemaPlacement(r *schema.Realm, svcs []protoreflect.ServiceDescriptor) map[protoreflect.FullName]where {
	w := &placementWalk{out: map[protoreflect.FullName]where{}, decls: map[where]*schema.Decl{}}
	for _, mod := range r.GetModules() {
		for _, d := range mod.GetDecls() {
			w.decls[where{mod.GetName(), schema.DeclName(d)}] = d
		}
	}
	for _, mod := range r.GetModules() {
		i := slices.IndexFunc(svcs, func(s protoreflect.ServiceDescriptor) bool {
			return slices.Contains(moduleCandidates(s), mod.GetName())
		})
		if i < 0 {
			continue
		}
		methods := svcs[i].Methods()
		for _, d := range mod.GetDecls() {
			v := d.GetVerb()
			if v == nil {
				continue
			}
			for j := range methods.Len() {
				md := methods.Get(j)
				if verbName(md) == v.GetName() || string(md.Name()) == v.GetName() {
					w.message(v.GetRequest(), md.Input())
					w.message(v.GetResponse(), md.Output())
					break
				}
			}
		}
	}
	return w.out
}

type placementWalk struct {
	out   map[protoreflect.FullName]where
	decls map[where]*schema.Decl
}

// message records where t, the schema's type for md, places md, and walks
// md's fields alongside the schema's.
func (w *placementWalk) message(t *schema.Type, md protoreflect.MessageDescriptor) {
	at, ok := w.record(t, md)
	if !ok || builtinOf(md) != notBuiltin {
		return
	}
	data := w.decls[at].GetData()
	if data == nil {
		return
	}
	keys := fieldKeys(md)
	fields := md.Fields()
	for i := range fields.Len() {
		for _, f := range data.GetFields() {
			if f.GetName() == keys[i] {
				w.field(f.GetType(), fields.Get(i))
				break
			}
		}
	}
}

func (w *placementWalk) field(t *schema.Type, fd protoreflect.FieldDescriptor) {
	t = unwrapOptional(t)
	switch {
	case fd.IsMap():
		t, fd = t.GetMap().GetValue(), fd.MapValue()
	case fd.IsList():
		t = t.GetArray().GetElement()
	}
	t = unwrapOptional(t)
	switch {
	case fd.Enum() != nil:
		w.record(t, fd.Enum())
	case fd.Message() != nil:
		w.message(t, fd.Message())
	}
}

// record notes that ref type t places d; false when t is no ref, or d was
// recorded already (recursion ends there).
func (w *placementWalk) record(t *schema.Type, d protoreflect.Descriptor) (where, bool) {
	ref := unwrapOptional(t).GetRef()
	if ref == nil || ref.GetRealm() != "" {
		return where{}, false
	}
	if _, seen := w.out[d.FullName()]; seen {
		return where{}, false
	}
	at := where{ref.GetModule(), ref.GetName()}
	w.out[d.FullName()] = at
	return at, true
}

func unwrapOptional(t *schema.Type) *schema.Type {
	if o := t.GetOptional(); o != nil {
		return o.GetType()
	}
	return t
}
