package scan

import "github.com/ftlrealm/ftl-gen-realm/schema"

// Allocation of the schema a builder makes. A realm's schema is tens of
// thousands of small messages, and allocating them one by one was much of
// the cost of building it (and of the garbage collections it causes while
// the realm's packages are in memory). So a Type is allocated with its
// oneof wrapper and kind as one piece, and so is a Decl; and the pieces,
// like positions, fields and the slices holding them, come from arrays
// carved up by each builder. They are ordinary messages, never shared
// between trees.

// typeParts is the three messages of a Type of one kind, allocated together.
type typeParts[W, K any] struct {
	t schema.Type
	w W // the oneof wrapper, e.g. schema.Type_String_
	k K // the kind, e.g. schema.String
}

// slab hands out the elements of arrays it allocates, larger as it goes.
type slab[T any] struct {
	free []T
	n    int // size of the last array
}

func (s *slab[T]) alloc() *T {
	if len(s.free) == 0 {
		s.n = min(256, max(8, 2*s.n))
		s.free = make([]T, s.n)
	}
	x := &s.free[0]
	s.free = s.free[1:]
	return x
}

// carve returns n elements of a shared array, with capacity n: appending
// to the result never overwrites its neighbours.
func carve[T any](pool *[]T, n int) []T {
	if len(*pool) < n {
		*pool = make([]T, max(n, 256))
	}
	s := (*pool)[:n:n]
	*pool = (*pool)[n:]
	return s
}

// allocator is what a builder allocates schema messages from.
type allocator struct {
	strings   slab[typeParts[schema.Type_String_, schema.String]]
	ints      slab[typeParts[schema.Type_Int, schema.Int]]
	bools     slab[typeParts[schema.Type_Bool, schema.Bool]]
	floats    slab[typeParts[schema.Type_Float, schema.Float]]
	times     slab[typeParts[schema.Type_Time, schema.Time]]
	refs      slab[typeParts[schema.Type_Ref, schema.Ref]]
	arrays    slab[typeParts[schema.Type_Array, schema.Array]]
	maps      slab[typeParts[schema.Type_Map, schema.Map]]
	optionals slab[typeParts[schema.Type_Optional, schema.Optional]]
	positions slab[schema.Position]
	datas     slab[declParts[schema.Decl_Data, schema.Data]]
	verbs     slab[declParts[schema.Decl_Verb, schema.Verb]]
	fields    []schema.Field
	fieldPtrs []*schema.Field
	typePtrs  []*schema.Type
}

func (a *allocator) stringType() *schema.Type {
	x := a.strings.alloc()
	x.w.String_, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) intType() *schema.Type {
	x := a.ints.alloc()
	x.w.Int, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) boolType() *schema.Type {
	x := a.bools.alloc()
	x.w.Bool, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) floatType() *schema.Type {
	x := a.floats.alloc()
	x.w.Float, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) timeType() *schema.Type {
	x := a.times.alloc()
	x.w.Time, x.t.Value = &x.k, &x.w
	return &x.t
}

// The rarer kinds are allocated one by one.

func bytesType() *schema.Type {
	x := new(typeParts[schema.Type_Bytes, schema.Bytes])
	x.w.Bytes, x.t.Value = &x.k, &x.w
	return &x.t
}

func anyType() *schema.Type {
	x := new(typeParts[schema.Type_Any, schema.Any])
	x.w.Any, x.t.Value = &x.k, &x.w
	return &x.t
}

func unitType() *schema.Type {
	x := new(typeParts[schema.Type_Unit, schema.Unit])
	x.w.Unit, x.t.Value = &x.k, &x.w
	return &x.t
}

// refType returns a ref type and its Ref, with room for args type
// arguments.
func (a *allocator) refType(module, name string, args int) (*schema.Type, *schema.Ref) {
	x := a.refs.alloc()
	x.k.Module, x.k.Name = module, name
	if args > 0 {
		x.k.TypeParameters = carve(&a.typePtrs, args)[:0]
	}
	x.w.Ref, x.t.Value = &x.k, &x.w
	return &x.t, &x.k
}

func (a *allocator) arrayType(elem *schema.Type) *schema.Type {
	x := a.arrays.alloc()
	x.k.Element = elem
	x.w.Array, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) mapType(key, value *schema.Type) *schema.Type {
	x := a.maps.alloc()
	x.k.Key, x.k.Value = key, value
	x.w.Map, x.t.Value = &x.k, &x.w
	return &x.t
}

func (a *allocator) optionalType(inner *schema.Type) *schema.Type {
	x := a.optionals.alloc()
	x.k.Type = inner
	x.w.Optional, x.t.Value = &x.k, &x.w
	return &x.t
}

// declParts is the three messages of a Decl of one kind, allocated together.
type declParts[W, K any] struct {
	d schema.Decl
	w W // the oneof wrapper, e.g. schema.Decl_Data
	k K // the decl, e.g. schema.Data
}

// newDataDecl returns a data decl and its Data, to be filled in.
func (a *allocator) newDataDecl() (*schema.Decl, *schema.Data) {
	x := a.datas.alloc()
	x.w.Data, x.d.Value = &x.k, &x.w
	return &x.d, &x.k
}

// newVerbDecl returns a verb decl and its Verb, to be filled in.
func (a *allocator) newVerbDecl() (*schema.Decl, *schema.Verb) {
	x := a.verbs.alloc()
	x.w.Verb, x.d.Value = &x.k, &x.w
	return &x.d, &x.k
}
