package ftlrealm

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"time"
)

// Unmarshal decodes data, in FTL's JSON encoding, into the value v points
// to. Unknown object keys are ignored; null leaves a value at its zero
// (an Option becomes None, a pointer nil). Errors name the JSON path of the bad value,
// such as `.items[2].amount`.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &codecError{op: "decode", msg: "Unmarshal needs a non-nil pointer, not " + typeName(v), offset: -1}
	}
	return unmarshalValue(data, rv.Elem())
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// unmarshalValue decodes data into the addressable value v.
func unmarshalValue(data []byte, v reflect.Value) error {
	d := decodeState{data: data}
	err := decoderOf(v.Type())(&d, v)
	if err == nil {
		d.skipSpace()
		if d.off < len(d.data) {
			err = d.syntaxError("unexpected data after the top-level value")
		}
	}
	if err != nil {
		return finishError(err, "decode")
	}
	return nil
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 10000

type decodeState struct {
	data  []byte
	off   int
	depth int
}

// decoderFunc decodes the next JSON value into the addressable value v.
type decoderFunc func(d *decodeState, v reflect.Value) error

var decoderCache sync.Map // reflect.Type → decoderFunc

// decoderOf mirrors encoderOf, including the stub for recursive types.
func decoderOf(t reflect.Type) decoderFunc {
	if f, ok := decoderCache.Load(t); ok {
		return f.(decoderFunc)
	}
	var (
		wg    sync.WaitGroup
		built decoderFunc
	)
	wg.Add(1)
	stub := decoderFunc(func(d *decodeState, v reflect.Value) error {
		wg.Wait()
		return built(d, v)
	})
	if f, loaded := decoderCache.LoadOrStore(t, stub); loaded {
		return f.(decoderFunc)
	}
	built = newDecoder(t)
	wg.Done()
	decoderCache.Store(t, built)
	return built
}

func newDecoder(t reflect.Type) decoderFunc {
	switch {
	case t == timeType:
		return decodeTime
	case isOption(t):
		return newOptionDecoder(t)
	case isUpstreamOption(t):
		return decodeUpstreamOption
	}
	switch t.Kind() {
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return decodeUint
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.String:
		return decodeString
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return decodeBytes
		}
		return newSliceDecoder(t)
	case reflect.Map:
		return newMapDecoder(t)
	case reflect.Struct:
		return newStructDecoder(t)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return decodeAny
		}
		return newSumDecoder(t)
	case reflect.Pointer:
		return newPointerDecoder(t)
	}
	return func(*decodeState, reflect.Value) error { return unsupportedType(t) }
}

// newPointerDecoder decodes null as nil and anything else into a value it
// points to (a new one when the pointer is nil): the pointer is an
// optional value, as Option is.
func newPointerDecoder(t reflect.Type) decoderFunc {
	elemDec := decoderOf(t.Elem())
	return func(d *decodeState, v reflect.Value) error {
		if d.peek() == 'n' {
			_, err := d.literal()
			v.SetZero()
			return err
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return elemDec(d, v.Elem())
	}
}

func decodeBool(d *decodeState, v reflect.Value) error {
	switch d.peek() {
	case 't', 'f', 'n':
		lit, err := d.literal()
		if err == nil && lit != 'n' {
			v.SetBool(lit == 't')
		}
		return err
	case '"':
		// FTL's decoder also takes "true", and numbers, for Bool.
		s, err := d.readString()
		v.SetBool(s == "true")
		return err
	}
	num, err := d.readNumberFor("Bool")
	if err != nil {
		return err
	}
	f, _ := strconv.ParseFloat(string(num), 64)
	v.SetBool(f != 0)
	return nil
}

func decodeInt(d *decodeState, v reflect.Value) error {
	if d.peek() == 'n' {
		_, err := d.literal()
		return err
	}
	start := d.off
	num, err := d.readNumberFor("Int")
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(num), 10, v.Type().Bits())
	if err != nil {
		return d.errorAt(start, "cannot decode %s into %s: not an integer in range", num, v.Type())
	}
	v.SetInt(n)
	return nil
}

func decodeUint(d *decodeState, v reflect.Value) error {
	if d.peek() == 'n' {
		_, err := d.literal()
		return err
	}
	start := d.off
	num, err := d.readNumberFor("Int")
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(string(num), 10, v.Type().Bits())
	if err != nil {
		return d.errorAt(start, "cannot decode %s into %s: not an unsigned integer in range", num, v.Type())
	}
	v.SetUint(n)
	return nil
}

func decodeFloat(d *decodeState, v reflect.Value) error {
	if d.peek() == 'n' {
		_, err := d.literal()
		return err
	}
	start := d.off
	num, err := d.readNumberFor("Float")
	if err != nil {
		return err
	}
	f, err := strconv.ParseFloat(string(num), v.Type().Bits())
	if err != nil {
		return d.errorAt(start, "cannot decode %s into %s: out of range", num, v.Type())
	}
	v.SetFloat(f)
	return nil
}

func decodeString(d *decodeState, v reflect.Value) error {
	switch d.peek() {
	case 'n':
		_, err := d.literal()
		return err
	case '"':
		s, err := d.readString()
		v.SetString(s)
		return err
	}
	return d.mismatch("a string", v.Type())
}

func decodeBytes(d *decodeState, v reflect.Value) error {
	switch d.peek() {
	case 'n':
		_, err := d.literal()
		v.SetZero()
		return err
	case '"':
		start := d.off
		raw, err := d.readStringBytes()
		if err != nil {
			return err
		}
		b, err := base64.StdEncoding.AppendDecode(make([]byte, 0, base64.StdEncoding.DecodedLen(len(raw))), raw)
		if err != nil {
			return d.errorAt(start, "bytes are not valid base64: %v", err)
		}
		v.SetBytes(b)
		return nil
	}
	return d.mismatch("a base64 string", v.Type())
}

func decodeTime(d *decodeState, v reflect.Value) error {
	switch d.peek() {
	case 'n':
		_, err := d.literal()
		return err
	case '"':
		start := d.off
		raw, err := d.readStringBytes()
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(*time.Time).UnmarshalText(raw); err != nil {
			return d.errorAt(start, "time is not RFC 3339: %v", err)
		}
		return nil
	}
	return d.mismatch("an RFC 3339 time string", v.Type())
}

// decodeAny decodes arbitrary JSON as encoding/json does (FTL does the same).
func decodeAny(d *decodeState, v reflect.Value) error {
	start := d.skipSpace()
	if err := d.skipValue(); err != nil {
		return err
	}
	var x any
	if err := json.Unmarshal(d.data[start:d.off], &x); err != nil {
		return d.errorAt(start, "%v", err)
	}
	if x == nil {
		v.SetZero()
	} else {
		v.Set(reflect.ValueOf(x))
	}
	return nil
}

func newSliceDecoder(t reflect.Type) decoderFunc {
	elemDec := decoderOf(t.Elem())
	return func(d *decodeState, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			_, err := d.literal()
			v.SetZero()
			return err
		case '[':
		default:
			return d.mismatch("an array", t)
		}
		if err := d.enter(); err != nil {
			return err
		}
		d.off++
		if v.IsNil() {
			v.Set(reflect.MakeSlice(t, 0, 4))
		}
		v.SetLen(0)
		if d.peek() == ']' {
			d.off++
			d.depth--
			return nil
		}
		for i := 0; ; i++ {
			if i >= v.Cap() {
				v.Grow(1)
			}
			v.SetLen(i + 1)
			elem := v.Index(i)
			elem.SetZero()
			if err := elemDec(d, elem); err != nil {
				return prependPath(err, indexPath(i))
			}
			switch d.peek() {
			case ',':
				d.off++
			case ']':
				d.off++
				d.depth--
				return nil
			default:
				return d.syntaxError("expected ',' or ']' after an array element")
			}
		}
	}
}

func newMapDecoder(t reflect.Type) decoderFunc {
	keyType, elemType := t.Key(), t.Elem()
	if mapKeyFormatter(keyType) == nil {
		return func(*decodeState, reflect.Value) error { return badMapKey(t) }
	}
	elemDec := decoderOf(elemType)
	return func(d *decodeState, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			_, err := d.literal()
			v.SetZero()
			return err
		case '{':
		default:
			return d.mismatch("an object", t)
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		// One key and one element, reused: SetMapIndex copies them in.
		k := reflect.New(keyType).Elem()
		elem := reflect.New(elemType).Elem()
		return d.object(func(key []byte, keyStart int) error {
			if err := parseMapKey(k, key); err != nil {
				err.offset = keyStart
				return err
			}
			elem.SetZero()
			if err := elemDec(d, elem); err != nil {
				return prependPath(err, keyPath(string(key)))
			}
			v.SetMapIndex(k, elem)
			return nil
		})
	}
}

// parseMapKey sets k, a map key, from the object key text.
func parseMapKey(k reflect.Value, key []byte) *codecError {
	t := k.Type()
	switch t.Kind() {
	case reflect.String:
		k.SetString(string(key))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(key), 10, t.Bits())
		if err != nil {
			return newCodecError("map key %s is not an integer in range of %s", quoteInput(string(key)), t)
		}
		k.SetInt(n)
	default:
		n, err := strconv.ParseUint(string(key), 10, t.Bits())
		if err != nil {
			return newCodecError("map key %s is not an unsigned integer in range of %s", quoteInput(string(key)), t)
		}
		k.SetUint(n)
	}
	return nil
}

// structFieldIndexThreshold is where a map beats a linear scan of the keys.
const structFieldIndexThreshold = 8

func newStructDecoder(t reflect.Type) decoderFunc {
	fields := fieldsOf(t)
	decs := make([]decoderFunc, len(fields))
	for i, f := range fields {
		decs[i] = decoderOf(f.typ)
	}
	var byName map[string]int
	if len(fields) > structFieldIndexThreshold {
		byName = make(map[string]int, len(fields))
		for i := len(fields) - 1; i >= 0; i-- { // first field wins on a clash
			byName[fields[i].name] = i
		}
	}
	lookup := func(key []byte) int {
		if byName != nil {
			if i, ok := byName[string(key)]; ok {
				return i
			}
			return -1
		}
		for i := range fields {
			if fields[i].name == string(key) {
				return i
			}
		}
		return -1
	}
	return func(d *decodeState, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			_, err := d.literal()
			return err
		case '{':
		default:
			return d.mismatch("an object", t)
		}
		return d.object(func(key []byte, _ int) error {
			i := lookup(key)
			if i < 0 {
				return d.skipValue()
			}
			if err := decs[i](d, v.Field(fields[i].index)); err != nil {
				return prependPath(err, "."+fields[i].name)
			}
			return nil
		})
	}
}

func newOptionDecoder(t reflect.Type) decoderFunc {
	elemDec := decoderOf(optionElem(t))
	return func(d *decodeState, v reflect.Value) error {
		ptr, ok := v.Addr().Interface().(optionAccess).optionParts()
		value := reflect.ValueOf(ptr).Elem()
		if d.peek() == 'n' {
			_, err := d.literal()
			value.SetZero()
			*ok = false
			return err
		}
		if err := elemDec(d, value); err != nil {
			return err
		}
		*ok = true
		return nil
	}
}

// newSumDecoder reads {"name": "<Variant>", "value": <value>}, in either
// key order, and stores the registered Go type for that variant.
func newSumDecoder(t reflect.Type) decoderFunc {
	return func(d *decodeState, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			_, err := d.literal()
			v.SetZero()
			return err
		case '{':
		default:
			return d.mismatch(`a type enum object {"name": ..., "value": ...}`, t)
		}
		sum := sumTypeOf(t)
		if sum == nil {
			return newCodecError("interface type %s is neither any nor a type enum registered with RegisterSumType", t)
		}
		objStart := d.off
		var (
			name             string
			hasName          bool
			valStart, valEnd = -1, -1
		)
		err := d.object(func(key []byte, _ int) error {
			switch string(key) {
			case "name":
				if d.peek() != '"' {
					return prependPath(d.mismatch("a variant name string", t), ".name")
				}
				var err error
				name, err = d.readString()
				hasName = true
				return err
			case "value":
				valStart = d.skipSpace()
				err := d.skipValue()
				valEnd = d.off
				return err
			}
			return d.skipValue()
		})
		if err != nil {
			return err
		}
		if !hasName {
			return d.errorAt(objStart, "type enum %s: missing \"name\"", t)
		}
		variant := sum.byName[name]
		if variant == nil {
			return prependPath(d.errorAt(objStart, "type enum %s has no variant %s", t, quoteInput(name)), ".name")
		}
		if valStart < 0 {
			return d.errorAt(objStart, "type enum %s: missing \"value\"", t)
		}
		x := reflect.New(variant.typ).Elem()
		sub := decodeState{data: d.data[:valEnd], off: valStart, depth: d.depth}
		if err := decoderOf(variant.typ)(&sub, x); err != nil {
			return prependPath(err, ".value")
		}
		v.Set(x)
		return nil
	}
}
