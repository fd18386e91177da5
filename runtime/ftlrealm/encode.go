package ftlrealm

import (
	"cmp"
	"encoding/base64"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonstr"
)

// Marshal encodes v with FTL's JSON encoding: struct fields keyed by their
// schema name (the `ftl:"name"` tag, else the lowerCamel Go name), bytes as
// base64, times as RFC 3339, Option as the value or null, type enums as
// {"name": ..., "value": ...}. A pointer is an optional value, as Option is
// (nil is null): generated code uses one where a type contains itself
// through an optional field. Channels and functions are errors.
//
// Marshal encodes v as its static type T: a type enum value in a variable
// of the enum's interface type keeps its {"name", "value"} wrapper, while
// the same variant passed as its own type encodes bare. (Taking any would
// lose the interface type and, with it, the wrapper.)
func Marshal[T any](v T) ([]byte, error) {
	e := getEncodeState()
	defer putEncodeState(e)
	if err := e.marshal(reflect.ValueOf(&v).Elem()); err != nil {
		return nil, err
	}
	return append([]byte(nil), e.buf...), nil
}

// encodeState is a reusable output buffer; pooled so that a call allocates
// no buffer in the steady state.
type encodeState struct {
	buf   []byte
	depth int // pointers being followed, bounded by maxDepth
}

var encodeStatePool = sync.Pool{New: func() any { return &encodeState{buf: make([]byte, 0, 1024)} }}

func getEncodeState() *encodeState { return encodeStatePool.Get().(*encodeState) }

func putEncodeState(e *encodeState) {
	if cap(e.buf) > 1<<20 { // don't let one huge body pin memory
		return
	}
	e.buf = e.buf[:0]
	e.depth = 0
	encodeStatePool.Put(e)
}

func (e *encodeState) marshal(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if err := encoderOf(v.Type())(e, v); err != nil {
		return finishError(err, "encode")
	}
	return nil
}

// encoderFunc appends the encoding of v to e.buf.
type encoderFunc func(e *encodeState, v reflect.Value) error

var encoderCache sync.Map // reflect.Type → encoderFunc

// encoderOf returns the cached encoder for t, building it on first use.
// Recursive types get a forwarding stub while their encoder is being built.
func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := encoderCache.Load(t); ok {
		return f.(encoderFunc)
	}
	var (
		wg    sync.WaitGroup
		built encoderFunc
	)
	wg.Add(1)
	stub := encoderFunc(func(e *encodeState, v reflect.Value) error {
		wg.Wait()
		return built(e, v)
	})
	if f, loaded := encoderCache.LoadOrStore(t, stub); loaded {
		return f.(encoderFunc)
	}
	built = newEncoder(t)
	wg.Done()
	encoderCache.Store(t, built)
	return built
}

func newEncoder(t reflect.Type) encoderFunc {
	switch {
	case t == timeType:
		return encodeTime
	case isOption(t):
		return newOptionEncoder(t)
	case isUpstreamOption(t):
		return encodeUpstreamOption
	}
	switch t.Kind() {
	case reflect.Bool:
		return encodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return encodeUint
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(e *encodeState, v reflect.Value) error { return encodeFloat(e, v, bits) }
	case reflect.String:
		return encodeString
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return encodeBytes
		}
		return newSliceEncoder(t)
	case reflect.Map:
		return newMapEncoder(t)
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return encodeAny
		}
		return newSumEncoder(t)
	case reflect.Pointer:
		return newPointerEncoder(t)
	}
	return func(*encodeState, reflect.Value) error { return unsupportedType(t) }
}

// newPointerEncoder encodes a pointer as an optional value: null when nil,
// else what it points to. Only pointers add depth that the value itself
// does not bound, so a value pointing back to itself fails at maxDepth
// (as deep as the decoder reads) instead of exhausting the stack.
func newPointerEncoder(t reflect.Type) encoderFunc {
	elemEnc := encoderOf(t.Elem())
	return func(e *encodeState, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if e.depth++; e.depth > maxDepth {
			return newCodecError("value nested deeper than %d pointers (does it point back to itself?)", maxDepth)
		}
		err := elemEnc(e, v.Elem())
		e.depth--
		return err
	}
}

func encodeBool(e *encodeState, v reflect.Value) error {
	e.buf = strconv.AppendBool(e.buf, v.Bool())
	return nil
}

func encodeInt(e *encodeState, v reflect.Value) error {
	e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	return nil
}

func encodeUint(e *encodeState, v reflect.Value) error {
	e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	return nil
}

// encodeFloat writes the shortest representation in %g form, as FTL does.
func encodeFloat(e *encodeState, v reflect.Value, bits int) error {
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return newCodecError("unsupported float value %v: JSON has no NaN or infinity", f)
	}
	e.buf = strconv.AppendFloat(e.buf, f, 'g', -1, bits)
	return nil
}

func encodeString(e *encodeState, v reflect.Value) error {
	e.buf = appendQuoted(e.buf, v.String())
	return nil
}

func encodeBytes(e *encodeState, v reflect.Value) error {
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, v.Bytes())
	e.buf = append(e.buf, '"')
	return nil
}

func encodeTime(e *encodeState, v reflect.Value) error {
	var t time.Time
	if v.CanAddr() {
		t = *v.Addr().Interface().(*time.Time)
	} else {
		t = v.Interface().(time.Time)
	}
	// AppendText is RFC 3339 with nanoseconds, exactly what time.Time's
	// MarshalJSON (FTL's encoding of Time) writes.
	out, err := t.AppendText(append(e.buf, '"'))
	if err != nil {
		return newCodecError("%v", err)
	}
	e.buf = append(out, '"')
	return nil
}

// encodeAny encodes the dynamic value of an `any` with the same rules.
func encodeAny(e *encodeState, v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	elem := v.Elem()
	return encoderOf(elem.Type())(e, elem)
}

func newSliceEncoder(t reflect.Type) encoderFunc {
	elemEnc := encoderOf(t.Elem())
	return func(e *encodeState, v reflect.Value) error {
		e.buf = append(e.buf, '[')
		for i, n := 0, v.Len(); i < n; i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := elemEnc(e, v.Index(i)); err != nil {
				return prependPath(err, indexPath(i))
			}
		}
		e.buf = append(e.buf, ']')
		return nil
	}
}

type mapEntry struct {
	key string
	at  int // index of the value in the copied values
}

// newMapEncoder writes keys sorted, so that equal maps encode to equal bytes.
func newMapEncoder(t reflect.Type) encoderFunc {
	keyString := mapKeyFormatter(t.Key())
	if keyString == nil {
		return func(*encodeState, reflect.Value) error { return badMapKey(t) }
	}
	elemEnc := encoderOf(t.Elem())
	sliceType := reflect.SliceOf(t.Elem())
	return func(e *encodeState, v reflect.Value) error {
		n := v.Len()
		if n == 0 {
			e.buf = append(e.buf, "{}"...)
			return nil
		}
		// Copy keys and values out in one allocation each, rather than one
		// per entry as MapIter.Key/Value would.
		entries := make([]mapEntry, 0, n)
		values := reflect.MakeSlice(sliceType, n, n)
		key := reflect.New(t.Key()).Elem()
		for it := v.MapRange(); it.Next(); {
			key.SetIterKey(it)
			values.Index(len(entries)).SetIterValue(it)
			entries = append(entries, mapEntry{keyString(key), len(entries)})
		}
		slices.SortFunc(entries, func(a, b mapEntry) int { return cmp.Compare(a.key, b.key) })
		e.buf = append(e.buf, '{')
		for i, en := range entries {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendQuoted(e.buf, en.key)
			e.buf = append(e.buf, ':')
			if err := elemEnc(e, values.Index(en.at)); err != nil {
				return prependPath(err, keyPath(en.key))
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	}
}

// mapKeyFormatter returns how keys of type k become JSON object keys
// (strings as themselves, integers in decimal), or nil when k can't be a key.
func mapKeyFormatter(k reflect.Type) func(reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return reflect.Value.String
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) string { return strconv.FormatUint(v.Uint(), 10) }
	}
	return nil
}

func badMapKey(t reflect.Type) error {
	return newCodecError("unsupported map key type %s in %s: keys must be strings or integers", t.Key(), t)
}

func newStructEncoder(t reflect.Type) encoderFunc {
	fields := fieldsOf(t)
	encs := make([]encoderFunc, len(fields))
	for i, f := range fields {
		encs[i] = encoderOf(f.typ)
	}
	return func(e *encodeState, v reflect.Value) error {
		e.buf = append(e.buf, '{')
		first := true
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = append(e.buf, f.quotedKey...)
			if err := encs[i](e, fv); err != nil {
				return prependPath(err, "."+f.name)
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	}
}

func newOptionEncoder(t reflect.Type) encoderFunc {
	elemEnc := encoderOf(optionElem(t))
	return func(e *encodeState, v reflect.Value) error {
		if !v.CanAddr() {
			tmp := reflect.New(t).Elem()
			tmp.Set(v)
			v = tmp
		}
		ptr, ok := v.Addr().Interface().(optionAccess).optionParts()
		if !*ok {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return elemEnc(e, reflect.ValueOf(ptr).Elem())
	}
}

func newSumEncoder(t reflect.Type) encoderFunc {
	return func(e *encodeState, v reflect.Value) error {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		sum := sumTypeOf(t)
		if sum == nil {
			return newCodecError("interface type %s is neither any nor a type enum registered with RegisterSumType", t)
		}
		elem := v.Elem()
		variant := sum.byType[elem.Type()]
		if variant == nil {
			return newCodecError("%s is not a registered variant of type enum %s", elem.Type(), t)
		}
		e.buf = append(e.buf, `{"name":`...)
		e.buf = append(e.buf, variant.quotedName...)
		e.buf = append(e.buf, `,"value":`...)
		if err := encoderOf(elem.Type())(e, elem); err != nil {
			return prependPath(err, ".value")
		}
		e.buf = append(e.buf, '}')
		return nil
	}
}

// appendQuoted writes s as a JSON string (jsonstr.Append: the one escaping
// rule the runtime and the gRPC proxy share).
func appendQuoted(buf []byte, s string) []byte { return jsonstr.Append(buf, s) }
