package scan

import "github.com/ftlrealm/ftl-gen-realm/schema"

// Constructors of schema types. A Type is three messages (the Type, its
// oneof wrapper, the kind); each constructor allocates them together, which
// makes building a large realm's schema markedly cheaper. The messages are
// ordinary ones, never shared between trees.

func stringType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_String_
		m schema.String
	})
	x.w.String_, x.t.Value = &x.m, &x.w
	return &x.t
}

func intType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Int
		m schema.Int
	})
	x.w.Int, x.t.Value = &x.m, &x.w
	return &x.t
}

func boolType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Bool
		m schema.Bool
	})
	x.w.Bool, x.t.Value = &x.m, &x.w
	return &x.t
}

func floatType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Float
		m schema.Float
	})
	x.w.Float, x.t.Value = &x.m, &x.w
	return &x.t
}

func bytesType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Bytes
		m schema.Bytes
	})
	x.w.Bytes, x.t.Value = &x.m, &x.w
	return &x.t
}

func timeType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Time
		m schema.Time
	})
	x.w.Time, x.t.Value = &x.m, &x.w
	return &x.t
}

func anyType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Any
		m schema.Any
	})
	x.w.Any, x.t.Value = &x.m, &x.w
	return &x.t
}

func unitType() *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Unit
		m schema.Unit
	})
	x.w.Unit, x.t.Value = &x.m, &x.w
	return &x.t
}

// refType returns a ref type and its Ref, to which the caller may add type
// arguments.
func refType(module, name string) (*schema.Type, *schema.Ref) {
	x := new(struct {
		t schema.Type
		w schema.Type_Ref
		m schema.Ref
	})
	x.m.Module, x.m.Name = module, name
	x.w.Ref, x.t.Value = &x.m, &x.w
	return &x.t, &x.m
}

func arrayType(elem *schema.Type) *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Array
		m schema.Array
	})
	x.m.Element = elem
	x.w.Array, x.t.Value = &x.m, &x.w
	return &x.t
}

func mapType(key, value *schema.Type) *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Map
		m schema.Map
	})
	x.m.Key, x.m.Value = key, value
	x.w.Map, x.t.Value = &x.m, &x.w
	return &x.t
}

func optionalType(inner *schema.Type) *schema.Type {
	x := new(struct {
		t schema.Type
		w schema.Type_Optional
		m schema.Optional
	})
	x.m.Type = inner
	x.w.Optional, x.t.Value = &x.m, &x.w
	return &x.t
}
