package ftlrealm

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// FTL's Go runtime (github.com/block/ftl/go-runtime/ftl) has its own
// Option[T], which FTL's encoder drives through the two methods below
// rather than through encoding/json. Supporting the same pair lets a realm's
// own verb code, written against FTL's types, be served by Handle and called
// with Call unchanged: a test or a local fake of a producer realm runs the
// producer's real functions. The interfaces are matched by method set, as
// FTL's encoder matches them, so any type that implements them works.

// upstreamOptionMarshaler is the encoding half of FTL's option protocol:
// the type writes null, or calls encode on the value it holds.
type upstreamOptionMarshaler interface {
	Marshal(w *bytes.Buffer, encode func(v reflect.Value, w *bytes.Buffer) error) error
}

// upstreamOptionUnmarshaler is the decoding half: the type is told whether
// the JSON value is null, and otherwise calls decode on where its value goes.
type upstreamOptionUnmarshaler interface {
	Unmarshal(d *json.Decoder, isNull bool, decode func(d *json.Decoder, v reflect.Value) error) error
}

var (
	upstreamOptionMarshalerType   = reflect.TypeFor[upstreamOptionMarshaler]()
	upstreamOptionUnmarshalerType = reflect.TypeFor[upstreamOptionUnmarshaler]()
)

// isUpstreamOption reports whether t speaks FTL's option protocol in both
// directions. A type with only one half is treated as a plain struct, which
// is what FTL's encoder would do with it as well.
func isUpstreamOption(t reflect.Type) bool {
	return t.Kind() == reflect.Struct &&
		t.Implements(upstreamOptionMarshalerType) &&
		reflect.PointerTo(t).Implements(upstreamOptionUnmarshalerType)
}

func encodeUpstreamOption(e *encodeState, v reflect.Value) error {
	var w bytes.Buffer
	err := v.Interface().(upstreamOptionMarshaler).Marshal(&w, func(inner reflect.Value, w *bytes.Buffer) error {
		sub := getEncodeState()
		defer putEncodeState(sub)
		if err := encoderOf(inner.Type())(sub, inner); err != nil {
			return err
		}
		w.Write(sub.buf)
		return nil
	})
	if err != nil {
		return asCodecError(err)
	}
	e.buf = append(e.buf, w.Bytes()...)
	return nil
}

func decodeUpstreamOption(d *decodeState, v reflect.Value) error {
	u := v.Addr().Interface().(upstreamOptionUnmarshaler)
	if d.peek() == 'n' {
		if _, err := d.literal(); err != nil {
			return err
		}
		return asCodecError(u.Unmarshal(json.NewDecoder(bytes.NewReader(nil)), true, func(*json.Decoder, reflect.Value) error {
			return newCodecError("option type %s decoded a value from null", v.Type())
		}))
	}
	// The value is decoded by this package's decoder, in place, so error
	// offsets and paths stay those of the whole body; the json.Decoder is
	// only there because the method's signature wants one.
	called := false
	err := u.Unmarshal(json.NewDecoder(bytes.NewReader(nil)), false, func(_ *json.Decoder, inner reflect.Value) error {
		if called {
			return newCodecError("option type %s decoded its value twice", v.Type())
		}
		called = true
		return decoderOf(inner.Type())(d, inner)
	})
	if err == nil && !called {
		// The type took the value without reading it; skip it so that the
		// rest of the body still lines up.
		err = d.skipValue()
	}
	return asCodecError(err)
}

// asCodecError keeps our own error (with its JSON path and offset) when the
// option type wrapped it, as FTL's does with a stack; anything else becomes
// a codec error with the type's message.
func asCodecError(err error) error {
	if err == nil {
		return nil
	}
	if ce := (*codecError)(nil); errors.As(err, &ce) {
		return ce
	}
	return newCodecError("%v", err)
}
