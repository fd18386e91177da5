package scan

import "github.com/ftlrealm/ftl-gen-realm/schema"

// Constructors of schema types. A Type is three messages (the Type, its
// oneof wrapper, the kind); each constructor allocates them as one piece,
// which makes building a large realm's schema markedly cheaper. They are
// ordinary messages, never shared between trees.

// typeParts is the three messages of a Type of one kind, allocated together.
type typeParts[W, K any] struct {
	t schema.Type
	w W // the oneof wrapper, e.g. schema.Type_String_
	k K // the kind, e.g. schema.String
}

func stringType() *schema.Type {
	x := new(typeParts[schema.Type_String_, schema.String])
	x.w.String_, x.t.Value = &x.k, &x.w
	return &x.t
}

func intType() *schema.Type {
	x := new(typeParts[schema.Type_Int, schema.Int])
	x.w.Int, x.t.Value = &x.k, &x.w
	return &x.t
}

func boolType() *schema.Type {
	x := new(typeParts[schema.Type_Bool, schema.Bool])
	x.w.Bool, x.t.Value = &x.k, &x.w
	return &x.t
}

func floatType() *schema.Type {
	x := new(typeParts[schema.Type_Float, schema.Float])
	x.w.Float, x.t.Value = &x.k, &x.w
	return &x.t
}

func bytesType() *schema.Type {
	x := new(typeParts[schema.Type_Bytes, schema.Bytes])
	x.w.Bytes, x.t.Value = &x.k, &x.w
	return &x.t
}

func timeType() *schema.Type {
	x := new(typeParts[schema.Type_Time, schema.Time])
	x.w.Time, x.t.Value = &x.k, &x.w
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

// refType returns a ref type and its Ref, to which the caller may add type
// arguments.
func refType(module, name string) (*schema.Type, *schema.Ref) {
	x := new(typeParts[schema.Type_Ref, schema.Ref])
	x.k.Module, x.k.Name = module, name
	x.w.Ref, x.t.Value = &x.k, &x.w
	return &x.t, &x.k
}

func arrayType(elem *schema.Type) *schema.Type {
	x := new(typeParts[schema.Type_Array, schema.Array])
	x.k.Element = elem
	x.w.Array, x.t.Value = &x.k, &x.w
	return &x.t
}

func mapType(key, value *schema.Type) *schema.Type {
	x := new(typeParts[schema.Type_Map, schema.Map])
	x.k.Key, x.k.Value = key, value
	x.w.Map, x.t.Value = &x.k, &x.w
	return &x.t
}

func optionalType(inner *schema.Type) *schema.Type {
	x := new(typeParts[schema.Type_Optional, schema.Optional])
	x.k.Type = inner
	x.w.Optional, x.t.Value = &x.k, &x.w
	return &x.t
}
