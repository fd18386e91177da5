// Package ftl stands in for FTL's Go runtime package of the same import
// path, with the same API for the types the example uses: Option and Unit.
// Option speaks the same encoding protocol (Marshal/Unmarshal) as FTL's, so
// ftlrealm encodes it as FTL does.
package ftl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// Unit is FTL's type for "no value": a verb without request or response.
type Unit struct{}

// Option is a value that may be absent; FTL's schema type T?.
type Option[T any] struct {
	value T
	ok    bool
}

// Some returns an Option holding value.
func Some[T any](value T) Option[T] { return Option[T]{value: value, ok: true} }

// None returns an empty Option.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether there is one.
func (o Option[T]) Get() (T, bool) { return o.value, o.ok }

// Ok reports whether the Option holds a value.
func (o Option[T]) Ok() bool { return o.ok }

// Default returns the value, or d when there is none.
func (o Option[T]) Default(d T) T {
	if o.ok {
		return o.value
	}
	return d
}

// String renders the value, or None.
func (o Option[T]) String() string {
	if o.ok {
		return fmt.Sprintf("%v", o.value)
	}
	return "None"
}

// Marshal writes the value with encode, or null: the method FTL's encoder
// calls.
func (o Option[T]) Marshal(w *bytes.Buffer, encode func(v reflect.Value, w *bytes.Buffer) error) error {
	if !o.ok {
		w.WriteString("null")
		return nil
	}
	return encode(reflect.ValueOf(&o.value).Elem(), w)
}

// Unmarshal reads the value with decode unless it is null: the method FTL's
// decoder calls.
func (o *Option[T]) Unmarshal(d *json.Decoder, isNull bool, decode func(d *json.Decoder, v reflect.Value) error) error {
	if isNull {
		*o = Option[T]{}
		return nil
	}
	if err := decode(d, reflect.ValueOf(&o.value).Elem()); err != nil {
		return err
	}
	o.ok = true
	return nil
}
