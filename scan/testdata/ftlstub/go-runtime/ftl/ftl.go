// Package ftl mirrors the names and type parameters of FTL's Go runtime
// types that appear in verb signatures and data types. Nothing here works:
// the scanner only reads types.
package ftl

// Unit is the schema type Unit.
type Unit struct{}

// Option is an optional value, schema type T?.
type Option[T any] struct {
	value T
	ok    bool
}

// Some returns an Option holding v.
func Some[T any](v T) Option[T] { return Option[T]{value: v, ok: true} }

// None returns an empty Option.
func None[T any]() Option[T] { return Option[T]{} }
