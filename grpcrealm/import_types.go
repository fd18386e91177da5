package grpcrealm

import (
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// fieldType is the schema type of a field: a map, an array, or the value
// type, Optional when the field can be absent (optionalField).
func (mp *mapper) fieldType(fd protoreflect.FieldDescriptor) *schema.Type {
	switch {
	case fd.IsMap():
		return &schema.Type{Value: &schema.Type_Map{Map: &schema.Map{Key: keyType(fd.MapKey()), Value: mp.valueType(fd.MapValue())}}}
	case fd.IsList():
		return &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: mp.valueType(fd)}}}
	}
	t := mp.valueType(fd)
	if optionalField(fd) {
		t = &schema.Type{Value: &schema.Type_Optional{Optional: &schema.Optional{Type: t}}}
	}
	return t
}

// keyType is the type of a map key. FTL map keys are String or Int, so bool
// keys become the strings "true" and "false".
func keyType(fd protoreflect.FieldDescriptor) *schema.Type {
	if fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.BoolKind {
		return tString()
	}
	return tInt()
}

// valueType is the type of one value of a field (an element of a repeated
// field, the value of a map, a singular field's value).
func (mp *mapper) valueType(fd protoreflect.FieldDescriptor) *schema.Type {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return &schema.Type{Value: &schema.Type_Bool{Bool: &schema.Bool{}}}
	case protoreflect.StringKind:
		return tString()
	case protoreflect.BytesKind:
		return &schema.Type{Value: &schema.Type_Bytes{Bytes: &schema.Bytes{}}}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return &schema.Type{Value: &schema.Type_Float{Float: &schema.Float{}}}
	case protoreflect.EnumKind:
		return mp.ref(fd.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return mp.messageType(fd.Message())
	}
	return tInt() // every integer kind; see convert for the range rules
}

// messageType is the type a message maps to: a builtin for the well-known
// types, else a ref to its data type.
func (mp *mapper) messageType(md protoreflect.MessageDescriptor) *schema.Type {
	switch builtinOf(md) {
	case bTimestamp:
		return &schema.Type{Value: &schema.Type_Time{Time: &schema.Time{}}}
	case bDuration:
		return tInt()
	case bEmpty:
		return &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}}
	case bWrapper:
		return mp.valueType(wrapped(md))
	case bJSON, bAny:
		return &schema.Type{Value: &schema.Type_Any{Any: &schema.Any{}}}
	}
	return mp.ref(md)
}

func (mp *mapper) ref(d protoreflect.Descriptor) *schema.Type {
	p := mp.types[d.FullName()]
	return &schema.Type{Value: &schema.Type_Ref{Ref: &schema.Ref{Module: p.module, Name: p.name}}}
}

func tInt() *schema.Type { return &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}} }
func tString() *schema.Type {
	return &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}}
}
