package ftlrealm

import (
	"fmt"
	"reflect"
	"sync"
)

// SumVariant names one variant of a type enum (sum type) for
// RegisterSumType.
type SumVariant struct {
	name string
	typ  reflect.Type
}

// Variant declares V as the variant called name (its FTL schema name).
func Variant[V any](name string) SumVariant {
	return SumVariant{name: name, typ: reflect.TypeFor[V]()}
}

// sumType is a registered type enum: its variants by Go type and by name.
type sumType struct {
	byType map[reflect.Type]*sumVariant
	byName map[string]*sumVariant
}

type sumVariant struct {
	name       string
	quotedName []byte
	typ        reflect.Type
}

var sumTypes sync.Map // interface reflect.Type → *sumType

// RegisterSumType tells the encoder which Go types implement the sealed
// interface S and under which names they travel on the wire
// ({"name": ..., "value": ...}). Generated code calls it from init.
//
// It panics when S is not an interface, a variant does not implement S, is
// a pointer, or a name or type appears twice: those are bugs in the calling
// code, found the first time the program starts.
func RegisterSumType[S any](variants ...SumVariant) {
	st := reflect.TypeFor[S]()
	if st.Kind() != reflect.Interface || st.NumMethod() == 0 {
		panic(fmt.Sprintf("ftlrealm.RegisterSumType: %s is not a non-empty interface", st))
	}
	sum := &sumType{
		byType: make(map[reflect.Type]*sumVariant, len(variants)),
		byName: make(map[string]*sumVariant, len(variants)),
	}
	for _, v := range variants {
		switch {
		case v.typ == nil || v.name == "":
			panic(fmt.Sprintf("ftlrealm.RegisterSumType[%s]: variant without a name or type; use ftlrealm.Variant", st))
		case v.typ.Kind() == reflect.Pointer || v.typ.Kind() == reflect.Interface:
			panic(fmt.Sprintf("ftlrealm.RegisterSumType[%s]: variant %q has type %s; variants must be concrete non-pointer types", st, v.name, v.typ))
		case !v.typ.Implements(st):
			panic(fmt.Sprintf("ftlrealm.RegisterSumType[%s]: variant %q type %s does not implement %s", st, v.name, v.typ, st))
		case sum.byName[v.name] != nil:
			panic(fmt.Sprintf("ftlrealm.RegisterSumType[%s]: variant name %q used twice", st, v.name))
		case sum.byType[v.typ] != nil:
			panic(fmt.Sprintf("ftlrealm.RegisterSumType[%s]: type %s registered twice", st, v.typ))
		}
		sv := &sumVariant{name: v.name, quotedName: appendQuoted(nil, v.name), typ: v.typ}
		sum.byType[v.typ] = sv
		sum.byName[v.name] = sv
	}
	sumTypes.Store(st, sum)
}

func sumTypeOf(t reflect.Type) *sumType {
	if s, ok := sumTypes.Load(t); ok {
		return s.(*sumType)
	}
	return nil
}
