package grpcrealm

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

const convertProto = `syntax = "proto3";
package c.v1;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

service S { rpc Get(All) returns (All); rpc Loop(Node) returns (Node); }

enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
message Sub { string x = 1; }
message Node { Node next = 1; }
message All {
  int32 i32 = 1; int64 i64 = 2; uint32 u32 = 3; uint64 u64 = 4; sint32 s32 = 5; fixed64 f64 = 6;
  float f = 7; double d = 8; bool b = 9; string s = 10; bytes by = 11;
  Kind kind = 12;
  optional string opt = 13;
  repeated int64 list = 14;
  map<string, int32> m = 15;
  map<int64, string> im = 16;
  map<bool, string> bm = 17;
  map<uint64, string> um = 18;
  Sub sub = 19;
  optional Sub maybe = 20;
  repeated Sub subs = 21;
  google.protobuf.Timestamp at = 22;
  google.protobuf.Duration took = 23;
  google.protobuf.Int64Value w64 = 24;
  google.protobuf.StringValue ws = 25;
  google.protobuf.Struct st = 26;
  google.protobuf.Value v = 27;
  google.protobuf.Any any = 28;
  google.protobuf.Empty e = 29;
  oneof choice { string name = 30; Sub sub_choice = 31; }
  repeated google.protobuf.Value values = 32;
}`

// testCodec compiles convertProto and returns a codec for its messages.
func testCodec(t testing.TB) (*codec, func(name string) protoreflect.MessageDescriptor) {
	t.Helper()
	svcs, err := compileSource(t, map[string]string{"c.proto": convertProto})
	if err != nil {
		t.Fatal(err)
	}
	c := &codec{msgs: map[protoreflect.FullName]*msgCodec{}, types: dynamicpb.NewTypes(svcs.Files)}
	desc := func(name string) protoreflect.MessageDescriptor {
		d, err := svcs.Files.FindDescriptorByName(protoreflect.FullName("c.v1." + name))
		if err != nil {
			t.Fatal(err)
		}
		c.add(d.(protoreflect.MessageDescriptor))
		return d.(protoreflect.MessageDescriptor)
	}
	return c, desc
}

// fromProtoJSON builds a message from its protojson form: the expected
// values are written in protobuf's own JSON mapping, independently of the
// converter under test.
func fromProtoJSON(t *testing.T, c *codec, md protoreflect.MessageDescriptor, text string) *dynamicpb.Message {
	t.Helper()
	m := dynamicpb.NewMessage(md)
	if err := (protojson.UnmarshalOptions{Resolver: c.types}).Unmarshal([]byte(text), m); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return m
}

// An FTL JSON body with every field set, in the encoder's output form
// (keys sorted), for the round trip.
const allBody = `{"any":{"@type":"type.googleapis.com/c.v1.Sub","x":"in any"},"at":"2024-05-01T10:00:00.5Z","b":true,` +
	`"bm":{"false":"no","true":"yes"},"by":"AAEC/w==","d":-2.5,"e":{},"f":0.1,"f64":18446744073709551,"i32":-2147483648,` +
	`"i64":-9223372036854775808,"im":{"-5":"minus five","7":"seven"},"kind":"KIND_A","list":[1,-2,3],"m":{"a":1,"b":-1},` +
	`"maybe":{"x":"maybe"},"name":null,"opt":"set","s":"héllo \"q\"\n","s32":-7,"st":{"a":[1,"x",null,true],"b":{"c":1.5}},` +
	`"sub":{"x":"sub"},"subChoice":{"x":"chosen"},"subs":[{"x":"one"},{"x":"two"}],"took":-1500000000,"u32":4294967295,` +
	`"u64":9223372036854775807,"um":{"9223372036854775807":"max"},"v":"a string value","values":[null,1,"two"],` +
	`"w64":9007199254740993,"ws":"wrapped"}`

func TestConvertRoundTrip(t *testing.T) {
	c, desc := testCodec(t)
	m, err := c.decodeRequest(desc("All"), []byte(allBody))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.encodeResponse(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != allBody {
		t.Errorf("round trip:\n%s\nwant:\n%s", out, allBody)
	}
	// The same message, as protobuf itself reads it: proves the decoder set
	// the fields protojson would.
	want := fromProtoJSON(t, c, desc("All"), `{"any":{"@type":"type.googleapis.com/c.v1.Sub","x":"in any"},"at":"2024-05-01T10:00:00.5Z","b":true,
		"bm":{"false":"no","true":"yes"},"by":"AAEC/w==","d":-2.5,"e":{},"f":0.1,"f64":"18446744073709551","i32":-2147483648,
		"i64":"-9223372036854775808","im":{"-5":"minus five","7":"seven"},"kind":"KIND_A","list":["1","-2","3"],"m":{"a":1,"b":-1},
		"maybe":{"x":"maybe"},"opt":"set","s":"héllo \"q\"\n","s32":-7,"st":{"a":[1,"x",null,true],"b":{"c":1.5}},
		"sub":{"x":"sub"},"subChoice":{"x":"chosen"},"subs":[{"x":"one"},{"x":"two"}],"took":"-1.5s","u32":4294967295,
		"u64":"9223372036854775807","um":{"9223372036854775807":"max"},"v":"a string value","values":[null,1,"two"],
		"w64":"9007199254740993","ws":"wrapped"}`)
	if !proto.Equal(m, want) {
		t.Errorf("decoded %v\nwant %v", m, want)
	}
}

// Unset fields: those with presence (every message field, optional
// scalars, oneof members) are null, the others their defaults, repeated and
// map fields empty, Any null. An enum's first value is "".
func TestEncodeDefaults(t *testing.T) {
	c, desc := testCodec(t)
	out, err := c.encodeResponse(dynamicpb.NewMessage(desc("All")))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"any":null,"at":null,"b":false,"bm":{},"by":"","d":0,"e":null,"f":0,"f64":0,"i32":0,"i64":0,"im":{},` +
		`"kind":"","list":[],"m":{},"maybe":null,"name":null,"opt":null,"s":"","s32":0,"st":null,"sub":null,` +
		`"subChoice":null,"subs":[],"took":null,"u32":0,"u64":0,"um":{},"v":null,"values":[],"w64":null,"ws":null}`
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// wantError checks err against want, an error message's prefix ("" for no
// error), and reports whether the test should go on to check a result.
func wantError(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatal(err)
	case want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)):
		t.Fatalf("err %v, want %s", err, want)
	}
	return want == ""
}

func TestDecodeRequest(t *testing.T) {
	c, desc := testCodec(t)
	all := desc("All")
	for _, tc := range []struct {
		name, body string
		want       string // protojson of the expected message
		err        string
	}{
		{name: "empty body", body: ``, want: `{}`},
		{name: "null body", body: `null`, want: `{}`},
		{name: "nulls leave fields unset", body: `{"opt":null,"maybe":null,"ws":null,"sub":null,"at":null,"took":null,"v":null,"list":null,"m":null}`, want: `{}`},
		{name: "unknown keys are ignored", body: `{"nope":1,"sub":{"y":2}}`, want: `{"sub":{}}`},
		{name: "uint64 above Int's range is accepted", body: `{"u64":18446744073709551615}`, want: `{"u64":"18446744073709551615"}`},
		{name: "time with an offset", body: `{"at":"2024-05-01T12:00:00.5+02:00"}`, want: `{"at":"2024-05-01T10:00:00.5Z"}`},
		{name: "negative duration", body: `{"took":-1500000000}`, want: `{"took":"-1.500s"}`},
		{name: "unknown number of an open enum", body: `{"kind":"7"}`, want: `{"kind":7}`},
		{name: "the zero value of an enum is its first value", body: `{"kind":""}`, want: `{}`},
		{name: "the first value by name", body: `{"kind":"KIND_UNSPECIFIED"}`, want: `{}`},
		{name: "a Go zero-value request sets nothing", body: `{"i32":0,"kind":"","opt":null,"sub":null,"maybe":null,"at":null,"took":null,"e":null,"w64":null,"st":null,"any":null,"name":null,"subChoice":null}`, want: `{}`},
		{name: "Empty takes anything", body: `{"e":{"x":1}}`, want: `{"e":{}}`},
		{name: "null in a list of Value", body: `{"values":[null]}`, want: `{"values":[null]}`},

		{name: "int64 out of range", body: `{"i64":9223372036854775808}`, err: `.i64: 9223372036854775808 is out of range for int64`},
		{name: "int32 out of range", body: `{"i32":2147483648}`, err: `.i32: 2147483648 is out of range for int32`},
		{name: "negative uint32", body: `{"u32":-1}`, err: `.u32: -1 is out of range for uint32`},
		{name: "uint64 out of range", body: `{"u64":18446744073709551616}`, err: `.u64: 18446744073709551616 is out of range for uint64`},
		{name: "fraction for an integer", body: `{"i64":1.5}`, err: `.i64: 1.5 is not an integer`},
		{name: "exponent for an integer", body: `{"i64":1e3}`, err: `.i64: 1e3 is not an integer`},
		{name: "string for an integer", body: `{"i64":"1"}`, err: `.i64: want an integer, got the string "1"`},
		{name: "float out of range", body: `{"f":1e39}`, err: `.f: 1e39 is out of range for float`},
		{name: "unknown enum name", body: `{"kind":"KIND_B"}`, err: `.kind: unknown value "KIND_B" of enum c.v1.Kind`},
		{name: "enum as a number", body: `{"kind":1}`, err: `.kind: want an enum value name, got the number 1`},
		{name: "bad base64", body: `{"by":"!!"}`, err: `.by: bytes are not valid base64: illegal base64 data at input byte 0`},
		{name: "bad time", body: `{"at":"yesterday"}`, err: `.at: time "yesterday" is not RFC 3339`},
		{name: "time before Timestamp's range", body: `{"at":"0000-12-31T23:59:59Z"}`, err: `.at: time "0000-12-31T23:59:59Z" is before 0001-01-01`},
		{name: "duration as a string", body: `{"took":"1s"}`, err: `.took: want an integer (nanoseconds), got the string "1s"`},
		{name: "two members of a oneof", body: `{"name":"a","subChoice":{"x":"b"}}`, err: `.subChoice: oneof choice has name set already: at most one of its fields may be set`},
		{name: "null message in a list", body: `{"subs":[null]}`, err: `.subs[0]: null is not allowed here`},
		{name: "null scalar in a list", body: `{"list":[1,null]}`, err: `.list[1]: want an integer, got null`},
		{name: "bad Int map key", body: `{"im":{"x":"a"}}`, err: `.im["x"]: map key: x is not an integer`},
		{name: "bad Bool map key", body: `{"bm":{"yes":"a"}}`, err: `.bm["yes"]: map key "yes" is not true or false`},
		{name: "nested path", body: `{"subs":[{"x":"a"},{"x":1}]}`, err: `.subs[1].x: want a string, got the number 1`},
		{name: "object for a string", body: `{"s":{}}`, err: `.s: want a string, got an object`},
		{name: "string for a message", body: `{"sub":"x"}`, err: `.sub: want an object, got the string "x"`},
		{name: "array for the request", body: `[1]`, err: `want an object, got an array`},
		{name: "array for a map", body: `{"m":[]}`, err: `.m: want an object, got an array`},
		{name: "object for a list", body: `{"list":{}}`, err: `.list: want an array, got an object`},
		{name: "unknown Any type", body: `{"any":{"@type":"type.googleapis.com/nope.X"}}`, err: `.any: not a valid google.protobuf.Any: `},
		{name: "trailing data", body: `{} {}`, err: `invalid JSON: unexpected data after the top-level value`},
		{name: "broken JSON", body: `{"i32":`, err: `invalid JSON: unexpected EOF`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.decodeRequest(all, []byte(tc.body))
			if !wantError(t, err, tc.err) {
				return
			}
			if want := fromProtoJSON(t, c, all, tc.want); !proto.Equal(m, want) {
				t.Errorf("got %v, want %v", m, want)
			}
		})
	}
}

func TestEncodeResponse(t *testing.T) {
	c, desc := testCodec(t)
	all := desc("All")
	for _, tc := range []struct {
		name, in  string // protojson of the message
		key, want string // the FTL JSON of one field
		err       string
	}{
		{name: "float keeps its shortest form", in: `{"f":0.1}`, key: "f", want: `0.1`},
		{name: "unknown enum number", in: `{"kind":7}`, key: "kind", want: `"7"`},
		{name: "duration in nanoseconds", in: `{"took":"-1.5s"}`, key: "took", want: `-1500000000`},
		{name: "timestamp", in: `{"at":"2024-05-01T10:00:00.123456789Z"}`, key: "at", want: `"2024-05-01T10:00:00.123456789Z"`},
		{name: "uint64 up to Int's maximum", in: `{"u64":"9223372036854775807"}`, key: "u64", want: `9223372036854775807`},
		{name: "Int map keys", in: `{"im":{"-5":"x"}}`, key: "im", want: `{"-5":"x"}`},
		{name: "oneof member", in: `{"subChoice":{"x":"y"}}`, key: "subChoice", want: `{"x":"y"}`},
		{name: "Any", in: `{"any":{"@type":"type.googleapis.com/c.v1.Sub","x":"y"}}`, key: "any", want: `{"@type":"type.googleapis.com/c.v1.Sub","x":"y"}`},
		{name: "Value null", in: `{"v":null}`, key: "v", want: `null`},
		{name: "Struct", in: `{"st":{"n":12345678901234567}}`, key: "st", want: `{"n":1.2345678901234568e+16}`},

		{name: "uint64 above Int's range", in: `{"u64":"18446744073709551615"}`, err: `.u64: uint64 value 18446744073709551615 does not fit FTL's Int (at most 9223372036854775807)`},
		{name: "fixed64 above Int's range", in: `{"f64":"9223372036854775808"}`, err: `.f64: fixed64 value 9223372036854775808 does not fit FTL's Int`},
		{name: "uint64 map key above Int's range", in: `{"um":{"18446744073709551615":"x"}}`, err: `.um["18446744073709551615"]: uint64 key 18446744073709551615 does not fit FTL's Int`},
		{name: "NaN", in: `{"d":"NaN"}`, err: `.d: NaN cannot be sent: JSON has no NaN or infinity`},
		{name: "infinity in a list", in: `{"values":[1,"x"],"subs":[{}],"d":"-Infinity"}`, err: `.d: -Inf cannot be sent`},
		{name: "duration beyond Int nanoseconds", in: `{"took":"315576000000s"}`, err: `.took: duration of 315576000000 seconds does not fit FTL's Int in nanoseconds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fromProtoJSON(t, c, all, tc.in)
			out, err := c.encodeResponse(m)
			sameAsWire(t, c, m, out, err)
			if !wantError(t, err, tc.err) {
				return
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(out, &fields); err != nil {
				t.Fatal(err)
			}
			if got := string(fields[tc.key]); got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.key, got, tc.want)
			}
		})
	}

	// Values protojson cannot even produce.
	m := dynamicpb.NewMessage(all)
	at := m.Mutable(all.Fields().ByName("at")).Message()
	at.Set(at.Descriptor().Fields().ByName("nanos"), protoreflect.ValueOfInt32(-1))
	if _, err := c.encodeResponse(m); err == nil || err.Error() != ".at: invalid google.protobuf.Timestamp (seconds 0, nanos -1)" {
		t.Errorf("bad timestamp: %v", err)
	}
	// A message that contains itself: as deep as it is set, up to a bound.
	node := desc("Node")
	nested := func(depth int) *dynamicpb.Message {
		m := dynamicpb.NewMessage(node)
		for range depth {
			parent := dynamicpb.NewMessage(node)
			parent.Set(node.Fields().ByName("next"), protoreflect.ValueOfMessage(m))
			m = parent
		}
		return m
	}
	if out, err := c.encodeResponse(nested(2)); err != nil || string(out) != `{"next":{"next":{"next":null}}}` {
		t.Errorf("recursive: %s %v", out, err)
	}
	if _, err := c.encodeResponse(nested(maxNesting + 1)); err == nil || !strings.HasSuffix(err.Error(), ": nested more than 100 deep") {
		t.Errorf("too deep: %v", err)
	}
}

// In proto2 (and closed editions enums) the default is the first value,
// whatever its number; "" stands for it both ways, and explicit presence
// keeps Some("") apart from None.
func TestEnumZeroValue(t *testing.T) {
	svcs, err := compileSource(t, map[string]string{"p.proto": `syntax = "proto2";
package p;
enum Level { HIGH = 5; LOW = 1; }
message M { optional Level level = 1; repeated Level levels = 2; optional Level fallback = 3 [default = LOW]; }
service S { rpc Get(M) returns (M); }`})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svcs.Files.FindDescriptorByName("p.M")
	if err != nil {
		t.Fatal(err)
	}
	md := d.(protoreflect.MessageDescriptor)
	c := &codec{msgs: map[protoreflect.FullName]*msgCodec{}, types: dynamicpb.NewTypes(svcs.Files)}
	c.add(md)
	m, err := c.decodeRequest(md, []byte(`{"level":"","levels":["","LOW","HIGH"],"fallback":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := fromProtoJSON(t, c, md, `{"level":"HIGH","levels":["HIGH","LOW","HIGH"]}`); !proto.Equal(m, want) {
		t.Errorf("decoded %v, want %v", m, want)
	}
	if out, err := c.encodeResponse(m); err != nil || string(out) != `{"fallback":null,"level":"","levels":["","LOW",""]}` {
		t.Errorf("encoded %s %v", out, err)
	}
}
