package ftlrealm

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Test types shaped like generated code: json tags name the schema field,
// ftl tags appear only where ToLowerCamel(GoName) differs.

type withdrawRequest struct {
	Account string         `json:"account"`
	Amount  int            `json:"amount"`
	Memo    Option[string] `json:"memo"`
	Tags    []string       `json:"tags"`
	Limits  map[string]int `json:"limits"`
	At      time.Time      `json:"at"`
}

type shape interface{ isShape() }

type circle struct {
	Radius float64 `json:"radius"`
}

type label string

type square struct {
	Side int `json:"side"`
}

func (circle) isShape() {}
func (label) isShape()  {}
func (square) isShape() {}

type unregistered interface{ isUnregistered() }

type color string

type priority int

type scalars struct {
	I     int64     `json:"i"`
	F     float64   `json:"f"`
	S     string    `json:"s"`
	B     bool      `json:"b"`
	Bytes []byte    `json:"bytes"`
	T     time.Time `json:"t"`
	A     any       `json:"a"`
	U     Unit      `json:"u"`
}

type naming struct {
	UserID     string `json:"userId"`
	HTTPServer string `json:"httpServer"`
	Custom     int    `json:"snake_case" ftl:"snake_case"`
	hidden     int
}

type enums struct {
	Color    color               `json:"color"`
	Priority priority            `json:"priority"`
	Shape    shape               `json:"shape"`
	Shapes   []shape             `json:"shapes"`
	ByColor  map[color]priority  `json:"byColor"`
	ByID     map[int]string      `json:"byId"`
	Nested   Option[[]shape]     `json:"nested"`
	Maybe    Option[withdrawReq] `json:"maybe"`
}

type withdrawReq = withdrawRequest

type node struct {
	Name     string `json:"name"`
	Children []node `json:"children"`
}

type order struct {
	Items []item `json:"items"`
}

type item struct {
	Amount int               `json:"amount"`
	Prices map[string]int8   `json:"prices"`
	When   Option[time.Time] `json:"when"`
}

type small struct {
	N8  int8    `json:"n8"`
	U16 uint16  `json:"u16"`
	F32 float32 `json:"f32"`
}

type withOmit struct {
	A int    `json:"a,omitempty"`
	B string `json:"b"`
}

// linked is what gen emits for `data Linked { value Int, next Linked? }`:
// the optional that closes the cycle is a pointer.
type linked struct {
	Value int     `json:"value"`
	Next  *linked `json:"next"`
}

type withChan struct {
	C chan int `json:"c"`
}

type withFunc struct {
	F func() `json:"f"`
}

type withBadKey struct {
	M map[bool]int `json:"m"`
}

type withUnregistered struct {
	U unregistered `json:"u"`
}

func init() {
	RegisterSumType[shape](Variant[circle]("Circle"), Variant[label]("Label"))
}

// TestFixtures decodes JSON written by hand from the spec (docs/formats.md
// §6) and checks that re-encoding gives the same bytes.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name string
		new  func() any
		json string
	}{
		{"spec example", func() any { return new(withdrawRequest) },
			`{"account":"acc-1","amount":100,"memo":null,"tags":["a","b"],"limits":{"daily":500,"weekly":1000},"at":"2024-05-06T07:08:09.123456789Z"}`},
		{"optional present, empty containers, zone offset", func() any { return new(withdrawRequest) },
			`{"account":"","amount":-7,"memo":"lunch","tags":[],"limits":{},"at":"2024-05-06T07:08:09+02:00"}`},
		{"scalars", func() any { return new(scalars) },
			`{"i":-9223372036854775808,"f":1.5,"s":"héllo \"q\" \\ \n\t\u0001 <&> \u2028","b":true,"bytes":"AAEC/w==","t":"0001-01-01T00:00:00Z","a":{"k":[1,"x",null,true,{"z":{}}]},"u":{}}`},
		{"float shortest %g form", func() any { return new(scalars) },
			`{"i":0,"f":1e+21,"s":"","b":false,"bytes":"","t":"2024-01-01T00:00:00Z","a":null,"u":{}}`},
		{"field names", func() any { return new(naming) },
			`{"userId":"u","httpServer":"h","snake_case":3}`},
		{"enums and sum types", func() any { return new(enums) },
			`{"color":"red","priority":2,"shape":{"name":"Circle","value":{"radius":2.5}},"shapes":[{"name":"Label","value":"x"},{"name":"Circle","value":{"radius":0}}],"byColor":{"blue":1,"red":2},"byId":{"-1":"m","1":"a","10":"b","2":"c"},"nested":[{"name":"Label","value":""}],"maybe":null}`},
		{"nil sum value, optional struct", func() any { return new(enums) },
			`{"color":"","priority":0,"shape":null,"shapes":[],"byColor":{},"byId":{},"nested":null,"maybe":{"account":"a","amount":1,"memo":null,"tags":[],"limits":{},"at":"2024-01-01T00:00:00Z"}}`},
		{"recursive", func() any { return new(node) },
			`{"name":"root","children":[{"name":"a","children":[]},{"name":"b","children":[{"name":"c","children":[]}]}]}`},
		{"unit", func() any { return new(Unit) }, `{}`},
		{"top-level array", func() any { return new([]int) }, `[1,2,3]`},
		{"top-level string", func() any { return new(string) }, `"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.new()
			if err := Unmarshal([]byte(tt.json), v); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got, err := Marshal(reflect.ValueOf(v).Elem().Interface())
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tt.json {
				t.Errorf("re-encoded differs\n got: %s\nwant: %s", got, tt.json)
			}
		})
	}
}

func TestFixtureValues(t *testing.T) {
	var req withdrawRequest
	if err := Unmarshal([]byte(`{"account":"acc-1","amount":100,"memo":null,"tags":["a"],"limits":{"d":5},"at":"2024-05-06T07:08:09Z","unknown":{"x":[1,{"y":null}]}}`), &req); err != nil {
		t.Fatal(err)
	}
	want := withdrawRequest{Account: "acc-1", Amount: 100, Tags: []string{"a"}, Limits: map[string]int{"d": 5}, At: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	if !reflect.DeepEqual(req, want) {
		t.Errorf("got %+v\nwant %+v", req, want)
	}
	var e enums
	if err := Unmarshal([]byte(`{"shape":{"value":{"radius":1},"extra":1,"name":"Circle"}}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Shape != (circle{Radius: 1}) {
		t.Errorf("value before name: got %#v", e.Shape)
	}
	// null into an Option that holds a value resets it.
	opt := Some("x")
	if err := Unmarshal([]byte(` null `), &opt); err != nil || opt.Ok() {
		t.Errorf("null into Option: %v, %v", opt, err)
	}
}

// TestRoundTrip encodes a value of every supported kind, decodes it into a
// fresh value and expects it back unchanged.
func TestRoundTrip(t *testing.T) {
	values := []any{
		withdrawRequest{Account: "a", Amount: math.MaxInt64, Memo: Some("m"), Tags: []string{"x", ""}, Limits: map[string]int{"k\"ey": -1, "ключ": 2}, At: time.Date(2023, 2, 3, 4, 5, 6, 7, time.UTC)},
		scalars{I: math.MinInt64, F: math.SmallestNonzeroFloat64, S: "\x00\x1f\"\\/\u2029😀", B: true, Bytes: []byte{0, 255, 1}, T: time.Unix(0, 1).UTC(), A: []any{1.5, "s", nil, map[string]any{"a": false}}},
		enums{Color: "green", Priority: -3, Shape: label("l"), Shapes: []shape{circle{1}, label("")}, ByColor: map[color]priority{"c": 1}, ByID: map[int]string{math.MinInt: "min", math.MaxInt: "max"}, Nested: Some([]shape{circle{2}}), Maybe: Some(withdrawRequest{Tags: []string{}, Limits: map[string]int{}, At: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})},
		small{N8: -128, U16: 65535, F32: 0.1},
		node{Name: "r", Children: []node{{Name: "c", Children: []node{}}}},
		order{Items: []item{{Amount: 1, Prices: map[string]int8{"p": 127}, When: Some(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))}}},
		map[string][]map[int]Option[int]{"a": {{1: Some(1), 2: None[int]()}}},
		Option[Option[int]]{},
		Unit{},
	}
	for _, v := range values {
		t.Run(reflect.TypeOf(v).String(), func(t *testing.T) {
			data, err := Marshal(v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			out := reflect.New(reflect.TypeOf(v))
			if err := Unmarshal(data, out.Interface()); err != nil {
				t.Fatalf("Unmarshal %s: %v", data, err)
			}
			if !reflect.DeepEqual(out.Elem().Interface(), v) {
				t.Errorf("round trip of %s\n got: %#v\nwant: %#v", data, out.Elem().Interface(), v)
			}
		})
	}
}

func TestEncodingDetails(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil slice and map", withdrawRequest{At: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, `{"account":"","amount":0,"memo":null,"tags":[],"limits":{},"at":"2024-01-01T00:00:00Z"}`},
		{"omitempty as FTL", withOmit{B: "b"}, `{"b":"b"}`},
		{"omitempty set", withOmit{A: 1}, `{"a":1,"b":""}`},
		{"unexported skipped", naming{hidden: 1}, `{"userId":"","httpServer":"","snake_case":0}`},
		{"invalid UTF-8 replaced", "a\xffb", `"a\ufffdb"`},
		{"nil any", nil, `null`},
		{"any holding struct uses FTL keys", []any{naming{UserID: "u"}}, `[{"userId":"u","httpServer":"","snake_case":0}]`},
		{"html left alone, as FTL", "<a&b>", `"<a&b>"`},
		{"float32", float32(0.1), `0.1`},
		{"uint map keys sorted as strings", map[uint8]bool{10: true, 9: false}, `{"10":true,"9":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// A variant in a variable of its enum's type is encoded as the enum, with
// the wrapper Unmarshal needs to get it back; passed as itself, bare.
func TestMarshalSumTypeByStaticType(t *testing.T) {
	var s shape = circle{Radius: 2}
	got, err := Marshal(s)
	if err != nil || string(got) != `{"name":"Circle","value":{"radius":2}}` {
		t.Fatalf("Marshal(shape) = %s, %v", got, err)
	}
	var back shape
	if err := Unmarshal(got, &back); err != nil || back != s {
		t.Fatalf("Unmarshal(%s) = %#v, %v", got, back, err)
	}
	if got, err := Marshal(circle{Radius: 2}); err != nil || string(got) != `{"radius":2}` {
		t.Errorf("Marshal(circle) = %s, %v", got, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"chan", withChan{}, "ftlrealm: encode .c: type chan int (chan) is not supported"},
		{"func", withFunc{}, "ftlrealm: encode .f: type func() (func) is not supported"},
		{"NaN", map[string]float64{"x": math.NaN()}, `ftlrealm: encode ["x"]: unsupported float value NaN`},
		{"infinity", []float64{0, math.Inf(1)}, `ftlrealm: encode [1]: unsupported float value +Inf`},
		{"bad map key", withBadKey{M: map[bool]int{true: 1}}, "ftlrealm: encode .m: unsupported map key type bool"},
		{"nil unregistered interface is null", withUnregistered{U: nil}, ""},
		{"unregistered variant", enums{Shapes: []shape{square{}}}, "ftlrealm: encode .shapes[0]: ftlrealm.square is not a registered variant of type enum ftlrealm.shape"},
		{"complex", complex(1, 2), "ftlrealm: encode: type complex128 (complex128) is not supported"},
		{"time out of range", scalars{T: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "ftlrealm: encode .t: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.v)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got error %v\nwant prefix %q", err, tt.want)
			}
		})
	}
	// An interface type that is not registered fails once it holds a value.
	type impl struct{ unregistered }
	_, err := Marshal(withUnregistered{U: impl{}})
	if err == nil || !strings.Contains(err.Error(), "neither any nor a type enum registered with RegisterSumType") {
		t.Errorf("unregistered interface: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		into any
		json string
		want string
	}{
		{"path into list of structs", &order{}, `{"items":[{},{"amount":1},{"amount":1.5}]}`, "ftlrealm: decode .items[2].amount: cannot decode 1.5 into int: not an integer in range"},
		{"string for int", &withdrawRequest{}, `{"amount":"x"}`, "ftlrealm: decode .amount: expected Int (a JSON number), found a string (at byte 10)"},
		{"number in string list", &withdrawRequest{}, `{"tags":["a",3]}`, "ftlrealm: decode .tags[1]: expected a string for string, found a number"},
		{"map value", &order{}, `{"items":[{"prices":{"p":300}}]}`, `ftlrealm: decode .items[0].prices["p"]: cannot decode 300 into int8`},
		{"time", &order{}, `{"items":[{"when":"yesterday"}]}`, "ftlrealm: decode .items[0].when: time is not RFC 3339"},
		{"bytes", &scalars{}, `{"bytes":"***"}`, "ftlrealm: decode .bytes: bytes are not valid base64"},
		{"object for list", &withdrawRequest{}, `{"tags":{}}`, "ftlrealm: decode .tags: expected an array for []string, found an object"},
		{"unknown variant", &enums{}, `{"shape":{"name":"Triangle","value":{}}}`, `ftlrealm: decode .shape.name: type enum ftlrealm.shape has no variant "Triangle"`},
		{"variant without name", &enums{}, `{"shape":{"value":{}}}`, `ftlrealm: decode .shape: type enum ftlrealm.shape: missing "name"`},
		{"variant without value", &enums{}, `{"shape":{"name":"Circle"}}`, `ftlrealm: decode .shape: type enum ftlrealm.shape: missing "value"`},
		{"variant value", &enums{}, `{"shapes":[{"name":"Circle","value":{"radius":"big"}}]}`, `ftlrealm: decode .shapes[0].value.radius: expected Float`},
		{"int map key", &enums{}, `{"byId":{"one":"x"}}`, `ftlrealm: decode .byId: map key "one" is not an integer in range of int`},
		{"overflow int8", &small{}, `{"n8":128}`, "ftlrealm: decode .n8: cannot decode 128 into int8"},
		{"negative uint", &small{}, `{"u16":-1}`, "ftlrealm: decode .u16: cannot decode -1 into uint16"},
		{"trailing comma", &withdrawRequest{}, `{"account":"a",}`, "ftlrealm: decode: invalid JSON: expected a string object key"},
		{"missing comma", &[]int{}, `[1 2]`, "ftlrealm: decode: invalid JSON: expected ',' or ']' after an array element"},
		{"trailing data", &withdrawRequest{}, `{} {}`, "ftlrealm: decode: invalid JSON: unexpected data after the top-level value"},
		{"unterminated string", &withdrawRequest{}, `{"account":"abc`, "ftlrealm: decode .account: unexpected end of JSON input"},
		{"control char", new(string), "\"a\nb\"", "ftlrealm: decode: invalid JSON: control character in string"},
		{"bad escape", new(string), `"\q"`, "ftlrealm: decode: invalid JSON: bad escape"},
		{"empty", &withdrawRequest{}, ``, "ftlrealm: decode: unexpected end of JSON input"},
		{"bad unknown value", &withdrawRequest{}, `{"zzz":[1,}`, "ftlrealm: decode: invalid JSON: expected a value"},
		{"bad number", new(int), `-`, "ftlrealm: decode: unexpected end of JSON input"},
		{"leading zero", new(int), `01`, "ftlrealm: decode: invalid JSON: unexpected data after the top-level value"},
		{"too deep", new(any), strings.Repeat("[", maxDepth+1), "JSON nested deeper than 10000"},
		{"too deep typed", &node{}, strings.Repeat(`{"children":[`, maxDepth), "JSON nested deeper than 10000"},
		{"not a pointer", withdrawRequest{}, `{}`, "ftlrealm: decode: Unmarshal needs a non-nil pointer, not ftlrealm.withdrawRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal([]byte(tt.json), tt.into)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	// What FTL's decoder accepts, we accept: numbers and "true" for Bool,
	// null for anything, escapes and surrogate pairs in strings.
	var s scalars
	if err := Unmarshal([]byte(` { "b" : 1 , "s" : "\u00e9\ud83d\ude00\/" , "i" : null , "zzz" : "ignored" } `), &s); err != nil {
		t.Fatal(err)
	}
	if !s.B || s.S != "é😀/" {
		t.Errorf("got %+v", s)
	}
	if err := Unmarshal([]byte(`{"b":"true"}`), &s); err != nil || !s.B {
		t.Errorf("string bool: %v %v", s.B, err)
	}
	var lone string
	if err := Unmarshal([]byte(`"\ud800x"`), &lone); err != nil || lone != "\ufffdx" {
		t.Errorf("lone surrogate: %q %v", lone, err)
	}
	// A slice being decoded into is reset, not appended to.
	tags := []string{"old", "older", "oldest"}
	if err := Unmarshal([]byte(`["new"]`), &tags); err != nil || !reflect.DeepEqual(tags, []string{"new"}) {
		t.Errorf("slice reuse: %q %v", tags, err)
	}
}

func TestRegisterSumTypePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"not an interface", func() { RegisterSumType[circle](Variant[circle]("C")) }, "is not a non-empty interface"},
		{"not implementing", func() { RegisterSumType[unregistered](Variant[circle]("C")) }, "does not implement"},
		{"pointer variant", func() { RegisterSumType[shape](Variant[*circle]("C")) }, "must be concrete non-pointer types"},
		{"duplicate name", func() { RegisterSumType[shape](Variant[circle]("C"), Variant[label]("C")) }, `variant name "C" used twice`},
		{"duplicate type", func() { RegisterSumType[shape](Variant[circle]("C"), Variant[circle]("D")) }, "registered twice"},
		{"zero variant", func() { RegisterSumType[shape](SumVariant{}) }, "without a name or type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tt.want) {
					t.Errorf("panic %v, want %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
}

// A pointer is an optional value: nil is null, and decoding allocates.
func TestPointerIsOptional(t *testing.T) {
	v := linked{Value: 1, Next: &linked{Value: 2, Next: &linked{Value: 3}}}
	data, err := Marshal(v)
	want := `{"value":1,"next":{"value":2,"next":{"value":3,"next":null}}}`
	if err != nil || string(data) != want {
		t.Fatalf("Marshal = %s, %v; want %s", data, err, want)
	}
	var back linked
	if err := Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, v) {
		t.Fatalf("Unmarshal = %+v, %v", back, err)
	}
	// Decoding into a value that already points somewhere reuses it, and
	// null clears it, as it empties an Option.
	if err := Unmarshal([]byte(`{"value":9,"next":null}`), &back); err != nil || back.Next != nil || back.Value != 9 {
		t.Fatalf("null: %+v, %v", back, err)
	}
	n := 7
	if data, err := Marshal(&n); err != nil || string(data) != "7" {
		t.Errorf("Marshal(*int) = %s, %v", data, err)
	}
	if data, err := Marshal[*int](nil); err != nil || string(data) != "null" {
		t.Errorf("Marshal(nil *int) = %s, %v", data, err)
	}
}

// A value that points back to itself fails at the decoder's depth bound
// instead of exhausting the stack.
func TestPointerCycle(t *testing.T) {
	v := &linked{Value: 1}
	v.Next = v
	_, err := Marshal(v)
	if err == nil || !strings.Contains(err.Error(), "nested deeper than 10000 pointers") {
		t.Fatalf("Marshal of a cycle: %v", err)
	}
	// The pooled state is reset: the next value encodes normally.
	if data, err := Marshal(linked{Value: 1}); err != nil || string(data) != `{"value":1,"next":null}` {
		t.Fatalf("after a cycle: %s, %v", data, err)
	}
}
