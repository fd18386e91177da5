package schema

import (
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// moduleKey names a module across realms.
type moduleKey struct{ realm, module string }

// checkModuleCycles reports modules that depend on themselves through
// other modules. Upstream FTL rejects such cycles, and a generated Go
// package per module could not import its way around one.
func (v *validator) checkModuleCycles(s *Schema) {
	var order []moduleKey
	var mods []*Module
	pos := map[moduleKey]scope{}
	for _, r := range s.GetRealms() {
		ri := v.realms[r.GetName()]
		if ri == nil || ri.realm != r {
			continue
		}
		c := scope{realm: ri, pos: v.root}.in(r.GetPos(), named("realm", r.GetName()))
		for _, m := range r.GetModules() {
			if ri.modules[m.GetName()] == nil || pos[moduleKey{r.GetName(), m.GetName()}].realm != nil {
				continue
			}
			k := moduleKey{r.GetName(), m.GetName()}
			order = append(order, k)
			mods = append(mods, m)
			pos[k] = c.in(m.GetPos(), named("module", m.GetName()))
		}
	}
	found := make([][]moduleKey, len(order))
	parallel(len(order), func(i int) { found[i] = moduleDeps(order[i], mods[i]) })
	deps := map[moduleKey][]moduleKey{}
	for i, k := range order {
		deps[k] = found[i]
	}
	reported := map[moduleKey]bool{}
	for _, start := range order {
		if reported[start] {
			continue
		}
		path := cycleFrom(start, deps)
		if path == nil {
			continue
		}
		names := make([]string, len(path))
		for i, k := range path {
			reported[k] = true
			names[i] = show(k.module)
			if k.realm != start.realm {
				names[i] += "@" + show(k.realm)
			}
		}
		v.errorf(pos[start], "module dependency cycle: %s", strings.Join(names, " -> "))
	}
}

// moduleDeps lists, in first-use order, the other modules whose decls m's
// refs name (types and +calls alike, as upstream counts them).
func moduleDeps(self moduleKey, m *Module) []moduleKey {
	var out []moduleKey
	seen := map[moduleKey]bool{self: true}
	eachRef(m.ProtoReflect(), func(ref *Ref) {
		if ref.GetModule() == "" {
			return
		}
		k := moduleKey{self.realm, ref.GetModule()}
		if ref.GetRealm() != "" {
			k.realm = ref.GetRealm()
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	})
	return out
}

// eachRef calls f for every Ref in m, depth first, fields in number order,
// a ref before the refs it holds. Subtrees whose message type cannot hold
// a Ref (positions, scalar types, most metadata) are not entered, which is
// what keeps this fast on a large realm.
func eachRef(m protoreflect.Message, f func(*Ref)) {
	if refFastPath && eachRefFast(m.Interface(), f) {
		return
	}
	if r, ok := m.Interface().(*Ref); ok {
		f(r)
	}
	// Range's order is unspecified (protobuf-go varies it between builds);
	// fields are visited by number, so that the order of a module's
	// dependencies, and the cycle reported, never depend on the build.
	var fields []fieldValue
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if md := fd.Message(); md != nil && mayHoldRef(md) {
			fields = append(fields, fieldValue{fd, v})
		}
		return true
	})
	slices.SortFunc(fields, func(a, b fieldValue) int { return int(a.fd.Number() - b.fd.Number()) })
	for _, fv := range fields {
		switch {
		case fv.fd.IsList():
			list := fv.v.List()
			for i := range list.Len() {
				eachRef(list.Get(i).Message(), f)
			}
		case fv.fd.IsMap():
			fv.v.Map().Range(func(_ protoreflect.MapKey, e protoreflect.Value) bool {
				eachRef(e.Message(), f)
				return true
			})
		default:
			eachRef(fv.v.Message(), f)
		}
	}
}

// refFastPath turns on eachRefFast; tests turn it off to check that both
// ways find the same refs in the same order.
var refFastPath = true

// eachRefFast is eachRef without reflection for the message types a
// realm's API is made of, in the order reflection visits fields (field
// number); it reports false for any other type.
func eachRefFast(m protoreflect.ProtoMessage, f func(*Ref)) bool {
	each := func(m protoreflect.ProtoMessage) { eachRef(m.ProtoReflect(), f) }
	switch x := m.(type) {
	case *Module:
		for _, d := range x.GetDecls() {
			each(d)
		}
		for _, md := range x.GetMetadata() {
			each(md)
		}
	case *Decl:
		switch v := x.GetValue().(type) {
		case *Decl_Data:
			each(v.Data)
		case *Decl_Verb:
			each(v.Verb)
		case *Decl_Enum:
			each(v.Enum)
		case *Decl_TypeAlias:
			each(v.TypeAlias)
		default:
			return false
		}
	case *Data:
		for _, fd := range x.GetFields() {
			each(fd)
		}
		for _, md := range x.GetMetadata() {
			each(md)
		}
	case *Field:
		eachTypeRef(x.GetType(), f)
		for _, md := range x.GetMetadata() {
			each(md)
		}
	case *Verb:
		eachTypeRef(x.GetRequest(), f)
		eachTypeRef(x.GetResponse(), f)
		for _, md := range x.GetMetadata() {
			each(md)
		}
	case *Enum:
		eachTypeRef(x.GetType(), f)
		for _, v := range x.GetVariants() {
			switch val := v.GetValue().GetValue().(type) {
			case nil, *Value_StringValue, *Value_IntValue:
			case *Value_TypeValue:
				eachTypeRef(val.TypeValue.GetValue(), f)
			default:
				each(v)
			}
		}
	case *TypeAlias:
		eachTypeRef(x.GetType(), f)
		for _, md := range x.GetMetadata() {
			each(md)
		}
	case *Type:
		eachTypeRef(x, f)
	case *Ref:
		f(x)
		for _, p := range x.GetTypeParameters() {
			eachTypeRef(p, f)
		}
	default:
		return false
	}
	return true
}

// eachTypeRef is eachRef for a Type, the most common message by far. A
// kind of Type it does not know is walked by reflection.
func eachTypeRef(t *Type, f func(*Ref)) {
	switch v := t.GetValue().(type) {
	case nil, *Type_Int, *Type_Float, *Type_String_, *Type_Bytes, *Type_Bool, *Type_Time, *Type_Any, *Type_Unit:
	case *Type_Ref:
		f(v.Ref)
		for _, p := range v.Ref.GetTypeParameters() {
			eachTypeRef(p, f)
		}
	case *Type_Array:
		eachTypeRef(v.Array.GetElement(), f)
	case *Type_Map:
		eachTypeRef(v.Map.GetKey(), f)
		eachTypeRef(v.Map.GetValue(), f)
	case *Type_Optional:
		eachTypeRef(v.Optional.GetType(), f)
	default:
		t.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Message() != nil {
				eachRef(v.Message(), f)
			}
			return true
		})
	}
}

// refHolders caches mayHoldRef per message type.
var refHolders sync.Map // protoreflect.FullName -> bool

// mayHoldRef reports whether a message of type md can contain a Ref.
func mayHoldRef(md protoreflect.MessageDescriptor) bool {
	if v, ok := refHolders.Load(md.FullName()); ok {
		return v.(bool)
	}
	holds := reaches(md, map[protoreflect.FullName]bool{})
	refHolders.Store(md.FullName(), holds)
	return holds
}

func reaches(md protoreflect.MessageDescriptor, visiting map[protoreflect.FullName]bool) bool {
	if md.FullName() == (*Ref)(nil).ProtoReflect().Descriptor().FullName() {
		return true
	}
	if visiting[md.FullName()] {
		return false // a cycle adds nothing new
	}
	visiting[md.FullName()] = true
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.IsMap() {
			fd = fd.MapValue()
		}
		if sub := fd.Message(); sub != nil && reaches(sub, visiting) {
			return true
		}
	}
	return false
}

// cycleFrom returns the shortest path start -> ... -> start, or nil.
func cycleFrom(start moduleKey, deps map[moduleKey][]moduleKey) []moduleKey {
	prev := map[moduleKey]moduleKey{}
	queue := []moduleKey{start}
	visited := map[moduleKey]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range deps[cur] {
			if next == start {
				path := []moduleKey{start}
				for k := cur; k != start; k = prev[k] {
					path = append(path, k)
				}
				path = append(path, start)
				// path is start, back to front..., start: reverse the middle.
				for i, j := 1, len(path)-2; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if _, known := deps[next]; !known || visited[next] {
				continue
			}
			visited[next] = true
			prev[next] = cur
			queue = append(queue, next)
		}
	}
	return nil
}
