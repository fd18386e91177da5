package ftlrealm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// Option is FTL's optional value (schema type `T?`): on the wire it is the
// value, or null when absent.
type Option[T any] struct {
	value T
	ok    bool
}

// Some returns an Option holding v.
func Some[T any](v T) Option[T] { return Option[T]{value: v, ok: true} }

// None returns an empty Option.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether there is one.
func (o Option[T]) Get() (T, bool) { return o.value, o.ok }

// Ok reports whether o holds a value.
func (o Option[T]) Ok() bool { return o.ok }

// Default returns the value, or d when o is empty.
func (o Option[T]) Default(d T) T {
	if o.ok {
		return o.value
	}
	return d
}

// MustGet returns the value and panics when o is empty.
func (o Option[T]) MustGet() T {
	if !o.ok {
		var zero T
		panic(fmt.Sprintf("ftlrealm: MustGet on empty Option[%T]", zero))
	}
	return o.value
}

// String renders the value, or "None".
func (o Option[T]) String() string {
	if o.ok {
		return fmt.Sprintf("Some(%v)", o.value)
	}
	return "None"
}

// MarshalJSON encodes the value, or null.
func (o Option[T]) MarshalJSON() ([]byte, error) {
	if !o.ok {
		return []byte("null"), nil
	}
	return json.Marshal(o.value)
}

// UnmarshalJSON decodes null as empty and anything else as the value.
func (o *Option[T]) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*o = Option[T]{}
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*o = Some(v)
	return nil
}

// optionAccess lets the encoder reach inside any Option[T] without knowing
// T: it hands out a pointer to the value (as *T in an any, which does not
// allocate) and to the presence flag.
type optionAccess interface {
	optionParts() (ptr any, ok *bool)
}

func (o *Option[T]) optionParts() (any, *bool) { return &o.value, &o.ok }

// optionTyper reports T for an Option[T] when building a codec.
type optionTyper interface{ optionElem() reflect.Type }

func (Option[T]) optionElem() reflect.Type { return reflect.TypeFor[T]() }

var optionAccessType = reflect.TypeFor[optionAccess]()

func isOption(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(optionAccessType)
}

func optionElem(t reflect.Type) reflect.Type {
	return reflect.Zero(t).Interface().(optionTyper).optionElem()
}
