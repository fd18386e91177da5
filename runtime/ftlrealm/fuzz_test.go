package ftlrealm

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The fuzz target's types cover every kind generated code hands the
// decoder: scalars of every width, Bytes, Time, Option (nested, and FTL's
// own option protocol), Any, Unit, arrays, maps with string and integer
// keys, a type enum with struct, scalar and recursive variants, field keys
// from the ftl tag, omitempty, and a recursive struct.

type fuzzShape interface{ fuzzShape() }

type fuzzCircle struct {
	Radius float64
	Center fuzzPoint
}

type fuzzPoint struct{ X, Y int }

type fuzzLabel string

// fuzzGroup makes the type enum recursive through a variant.
type fuzzGroup []fuzzShape

type fuzzNothing Unit

func (fuzzCircle) fuzzShape()  {}
func (fuzzLabel) fuzzShape()   {}
func (fuzzGroup) fuzzShape()   {}
func (fuzzNothing) fuzzShape() {}

func init() {
	RegisterSumType[fuzzShape](Variant[fuzzCircle]("Circle"), Variant[fuzzLabel]("Label"),
		Variant[fuzzGroup]("Group"), Variant[fuzzNothing]("Nothing"))
}

type fuzzEnvelope struct {
	Name    string
	Count   int
	Small   int8
	Port    uint16
	Ratio   float32
	Total   float64
	Ok      bool
	Raw     []byte
	At      time.Time
	When    Option[time.Time]
	Memo    Option[string]
	Deep    Option[Option[int]]
	Blob    Option[[]byte]
	Tags    []string
	Limits  map[string]int
	ByID    map[int64]Option[string]
	ByPort  map[uint8][]bool
	Extra   any
	Nothing Unit
	Shape   fuzzShape
	Shapes  []fuzzShape
	Kids    []fuzzEnvelope
	UserID  string `ftl:"userID"`
	Hidden  string `json:",omitempty"`
	Up      ftlOption[int]
	secret  int //nolint:unused // unexported: the codec must ignore it
}

// fuzzTargets are the types every input is decoded into.
var fuzzTargets = []func() any{
	func() any { return new(fuzzEnvelope) },
	func() any { return new(fuzzShape) },
	func() any { return new([]fuzzShape) },
	func() any { return new(map[string]fuzzEnvelope) },
	func() any { return new(Option[fuzzCircle]) },
	func() any { return new(time.Time) },
	func() any { return new([]byte) },
	func() any { return new(Unit) },
	func() any { return new(any) },
	func() any { return new(int64) },
	func() any { return new(string) },
}

var decodeSeeds = []string{
	`{"name":"acc-1","count":100,"small":-128,"port":65535,"ratio":1.5,"total":-2.5e-7,"ok":true,"raw":"AAEC/w==","at":"2024-05-06T07:08:09.123456789Z","when":"2024-05-06T07:08:09+02:00","memo":"lunch","deep":3,"blob":"","tags":["a","b"],"limits":{"daily":500},"byId":{"-1":"x","2":null},"byPort":{"80":[true,false]},"extra":{"k":[1,"x",null,true,{"z":{}}]},"nothing":{},"shape":{"name":"Circle","value":{"radius":2,"center":{"x":1,"y":-1}}},"shapes":[{"name":"Label","value":"hi"},{"value":[{"name":"Nothing","value":{}}],"name":"Group"}],"kids":[{"name":"kid","kids":[]}],"userID":"u","hidden":"h","up":7}`,
	`{"memo":null,"when":null,"deep":null,"up":null,"shape":null,"raw":null,"tags":null,"limits":null,"extra":null}`,
	`{"count":"1","ok":"true","small":128,"port":-1,"ratio":1e39,"at":"not a time","raw":"!!","shape":{"name":"Square","value":{}},"byId":{"x":"y"}}`,
	`{"shape":{"name":"Circle"}}`,
	`{"shape":{"value":1}}`,
	`{"shape":[]}`,
	`{"name":"\u00e9\ud83d\ude00\ud800\\\"\n\t\/","unknown":{"a":[1,2,{"b":null}]},"name":"again"}`,
	`{"kids":[{"kids":[{"kids":[{"kids":[]}]}]}]}`,
	`{"name":"Label","value":"x"}`,
	`[{"name":"Group","value":[{"name":"Group","value":[]}]}]`,
	`{"a":{"count":1},"b":{}}`,
	`{"radius":1,"center":{"x":1,"y":2}}`,
	`"2024-02-29T23:59:60Z"`, `"0000-01-01T00:00:00-23:59"`, `"9999-12-31T23:59:59.999999999+14:00"`,
	`"aGVsbG8="`, `"aGVsbG8"`, `{}`, `[]`, `null`, `true`, `-0`, `1e400`, `9223372036854775808`, `-9223372036854775808`,
	`"\ud800"`, "\"\xff\xfe\"", `"\x7f\a\v\x00\xff\U0001F600\U0010ffff"`, `{"\x41":1}`, `"\x4"`, `"\U00110000"`, `{"x":1,}`, `[1,]`, `{"a" 1}`, ` {"name" : "x" } `, `{"name":"x"} trailing`,
	strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	`{"kids":` + strings.Repeat(`[{"kids":`, 6000) + `[]` + strings.Repeat(`}]`, 6000) + `}`,
}

// FuzzDecode decodes arbitrary bytes into each fuzz target type. Decoding
// must never panic; it fails with the codec's error, at an offset inside
// the input, or it succeeds on valid JSON only (allowing FTL's Go escapes); and what it decodes
// re-encodes to bytes that decode to an equal value and encode to the same
// bytes again.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, target := range fuzzTargets {
			checkDecode(t, data, target)
		}
	})
}

func checkDecode(t *testing.T, data []byte, target func() any) (decoded bool) {
	t.Helper()
	v := target()
	name := reflect.TypeOf(v).Elem().String()
	err := Unmarshal(data, v)
	if err != nil {
		var ce *codecError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "ftlrealm: decode") {
			t.Fatalf("decode into %s: not a codec error: %v", name, err)
		}
		if ce.offset > len(data) {
			t.Fatalf("decode into %s: error at byte %d of a %d-byte input: %v", name, ce.offset, len(data), err)
		}
		return false
	}
	// Valid JSON, or JSON but for FTL's Go escapes (ftlescape.go).
	if !json.Valid(StandardJSON(data)) {
		t.Fatalf("decode into %s accepted invalid JSON %q", name, data)
	}
	enc, err := encodeValue(reflect.ValueOf(v).Elem())
	if err != nil {
		t.Fatalf("decoded %s does not encode: %v\ninput: %q", name, err, data)
	}
	if !json.Valid(enc) {
		t.Fatalf("%s encodes to invalid JSON %q", name, enc)
	}
	again := target()
	if err := Unmarshal(enc, again); err != nil {
		t.Fatalf("%s: re-decoding our own encoding %q: %v", name, enc, err)
	}
	if d := sameValue(reflect.ValueOf(v).Elem(), reflect.ValueOf(again).Elem(), ""); d != "" {
		t.Fatalf("%s: round trip changed the value at %s\ninput:   %q\nencoded: %q", name, d, data, enc)
	}
	enc2, err := encodeValue(reflect.ValueOf(again).Elem())
	if err != nil || string(enc2) != string(enc) {
		t.Fatalf("%s: encoding is not stable: %q then %q (%v)", name, enc, enc2, err)
	}
	return true
}

// encodeValue encodes v as Call and the Server do: by its static type, so
// that a type enum at the top level keeps its {"name", "value"} wrapper
// (Marshal, taking an any, sees only the variant).
func encodeValue(v reflect.Value) ([]byte, error) {
	e := getEncodeState()
	defer putEncodeState(e)
	if err := e.marshal(v); err != nil {
		return nil, err
	}
	return append([]byte(nil), e.buf...), nil
}

// sameValue compares decoded values as the wire sees them: nil and empty
// arrays, maps and bytes are the same value (both encode as [], {} or ""),
// and times are the same when they are the same instant at the same UTC
// offset (a +00:00 time decodes into time.Local where that is UTC, and
// re-encodes as Z). It returns the path of the first difference, or "".
func sameValue(a, b reflect.Value, path string) string {
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s (type %s vs %s)", path, a.Type(), b.Type())
	}
	switch {
	case a.Type() == timeType:
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if !ta.Equal(tb) || oa != ob {
			return fmt.Sprintf("%s (%v vs %v)", path, ta, tb)
		}
		return ""
	case isOption(a.Type()):
		// Through its accessors: values reached through unexported fields
		// cannot be compared as times.
		pa, oka := optionPartsOf(a)
		pb, okb := optionPartsOf(b)
		if oka != okb {
			return path + " (Some vs None)"
		}
		return sameValue(pa, pb, path+".value")
	}
	switch a.Kind() {
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return path
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return path
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return path
		}
	case reflect.Float32, reflect.Float64:
		if a.Float() != b.Float() {
			return fmt.Sprintf("%s (%v vs %v)", path, a.Float(), b.Float())
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s (%q vs %q)", path, a.String(), b.String())
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s (length %d vs %d)", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := sameValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s (%d vs %d entries)", path, a.Len(), b.Len())
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() {
				return fmt.Sprintf("%s[%v] (missing)", path, it.Key())
			}
			if d := sameValue(it.Value(), bv, fmt.Sprintf("%s[%v]", path, it.Key())); d != "" {
				return d
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if d := sameValue(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + " (nil vs non-nil)"
			}
			return ""
		}
		if a.Kind() == reflect.Pointer && a.Pointer() == b.Pointer() {
			return "" // e.g. the same *time.Location
		}
		return sameValue(a.Elem(), b.Elem(), path)
	default:
		return fmt.Sprintf("%s (unexpected kind %s)", path, a.Kind())
	}
	return ""
}

// optionPartsOf returns an Option's value and presence.
func optionPartsOf(v reflect.Value) (reflect.Value, bool) {
	if !v.CanAddr() { // a map element
		tmp := reflect.New(v.Type()).Elem()
		tmp.Set(v)
		v = tmp
	}
	ptr, ok := v.Addr().Interface().(optionAccess).optionParts()
	return reflect.ValueOf(ptr).Elem(), *ok
}

// The property is not vacuous: the seeds decode into every target type,
// and fail too.
func TestDecodeSeeds(t *testing.T) {
	ok := make([]int, len(fuzzTargets))
	failed := 0
	for _, s := range decodeSeeds {
		for i, target := range fuzzTargets {
			if checkDecode(t, []byte(s), target) {
				ok[i]++
			} else {
				failed++
			}
		}
	}
	for i, n := range ok {
		if n == 0 {
			t.Errorf("no seed decodes into %T", fuzzTargets[i]())
		}
	}
	if failed < 50 {
		t.Errorf("only %d decodes failed; the seeds hardly test errors", failed)
	}
	var full fuzzEnvelope
	if err := Unmarshal([]byte(decodeSeeds[0]), &full); err != nil {
		t.Fatal(err)
	}
	if full.Shape == nil || len(full.Shapes) != 2 || !full.When.Ok() || full.Deep != Some(Some(3)) || !full.Up.ok || full.Extra == nil {
		t.Fatalf("the first seed does not reach every field: %+v", full)
	}
}

// Invalid UTF-8 in a string becomes U+FFFD, one per bad byte, as
// encoding/json does, wherever it is: FuzzDecode found bytes before the
// first escape kept as they were.
func TestDecodeInvalidUTF8(t *testing.T) {
	for _, in := range []string{"\"\xbf\\b\"", "\"a\xff\xfeb\\n\xc3\"", "\"\xbf\"", "\"é\xe2\x82\\u00e9\""} {
		var got, want string
		if err := Unmarshal([]byte(in), &got); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%q: encoding/json: %v", in, err)
		}
		if got != want {
			t.Errorf("%q decodes to %q, want %q", in, got, want)
		}
	}
}
