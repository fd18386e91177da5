package grpcrealm

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// sameAsWire checks that the wire transcoder writes what encodeResponse
// wrote (out, err) for m.
func sameAsWire(t *testing.T, c *codec, m protoreflect.Message, out []byte, err error) {
	t.Helper()
	b, merr := proto.Marshal(m.Interface())
	if merr != nil {
		t.Fatal(merr)
	}
	wout, werr := c.encodeWire(m.Descriptor(), b)
	if string(wout) != string(out) || errString(werr) != errString(err) {
		t.Errorf("from the wire: %s %v\nfrom the message: %s %v", wout, werr, out, err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Wire data that protobuf reads in its own way (a singular field twice, a
// value of the wrong wire type, unpacked repeated scalars, repeated map
// keys, unknown fields, closed enums' unknown values) comes out as
// protobuf reads it; canonical data takes the fast path.
func TestWireMatchesDynamic(t *testing.T) {
	c, desc := testCodec(t)
	all := desc("All")
	canonical, err := c.decodeRequest(all, []byte(allBody))
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(canonical)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.appendWire(nil, all, b, 0); !ok || err != nil {
		t.Errorf("canonical data did not take the fast path: %v", err)
	}
	tag := protowire.AppendTag
	for _, tc := range []struct {
		name string
		b    []byte
		fast bool
	}{
		{"empty", nil, true},
		{"unknown field", protowire.AppendVarint(tag(nil, 999, protowire.VarintType), 5), true},
		{"unpacked repeated", protowire.AppendVarint(tag(protowire.AppendVarint(tag(nil, 14, protowire.VarintType), 1), 14, protowire.VarintType), 2), true},
		{"singular twice", protowire.AppendVarint(tag(protowire.AppendVarint(tag(nil, 1, protowire.VarintType), 1), 1, protowire.VarintType), 2), false},
		{"message twice (merged)", protowire.AppendBytes(tag(protowire.AppendBytes(tag(nil, 19, protowire.BytesType), protowire.AppendString(tag(nil, 1, protowire.BytesType), "a")), 19, protowire.BytesType), nil), false},
		{"wrong wire type", protowire.AppendFixed32(tag(nil, 1, protowire.Fixed32Type), 7), false},
		{"two oneof members", protowire.AppendString(tag(protowire.AppendBytes(tag(nil, 31, protowire.BytesType), nil), 30, protowire.BytesType), "n"), false},
		{"repeated map key", append(protowire.AppendBytes(tag(nil, 15, protowire.BytesType), protowire.AppendVarint(tag(protowire.AppendString(tag(nil, 1, protowire.BytesType), "k"), 2, protowire.VarintType), 1)),
			protowire.AppendBytes(tag(nil, 15, protowire.BytesType), protowire.AppendVarint(tag(protowire.AppendString(tag(nil, 1, protowire.BytesType), "k"), 2, protowire.VarintType), 2))...), true},
		{"map entry without value", protowire.AppendBytes(tag(nil, 15, protowire.BytesType), protowire.AppendString(tag(nil, 1, protowire.BytesType), "k")), true},
		{"invalid UTF-8", protowire.AppendString(tag(nil, 10, protowire.BytesType), "\xff"), false},
		{"group", protowire.AppendTag(tag(nil, 40, protowire.StartGroupType), 40, protowire.EndGroupType), false},
		{"truncated", tag(nil, 10, protowire.BytesType), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fast, _ := c.appendWire(nil, all, tc.b, 0)
			if fast != tc.fast {
				t.Errorf("fast path %v, want %v", fast, tc.fast)
			}
			wout, werr := c.encodeWire(all, tc.b)
			m, err := unmarshalDynamic(all, tc.b)
			if err != nil {
				if werr == nil {
					t.Errorf("protobuf refuses it (%v), the transcoder wrote %s", err, wout)
				}
				return
			}
			out, err := c.encodeResponse(m)
			if string(wout) != string(out) || errString(werr) != errString(err) {
				t.Errorf("from the wire: %s %v\nfrom the message: %s %v", wout, werr, out, err)
			}
		})
	}
}

// FuzzWire checks the transcoder against protobuf's own decoding of any
// bytes: the same JSON, or both refuse.
func FuzzWire(f *testing.F) {
	f.Add([]byte{})
	f.Add(protowire.AppendString(protowire.AppendTag(nil, 10, protowire.BytesType), "x"))
	c, desc := testCodec(f)
	all := desc("All")
	if m, err := c.decodeRequest(all, []byte(allBody)); err == nil {
		b, _ := proto.Marshal(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wout, werr := c.encodeWire(all, b)
		m, err := unmarshalDynamic(all, b)
		if err != nil {
			if werr == nil {
				t.Errorf("protobuf refuses it (%v), the transcoder wrote %s", err, wout)
			}
			return
		}
		out, err := c.encodeResponse(m)
		if string(wout) != string(out) || errString(werr) != errString(err) {
			t.Errorf("from the wire: %s %v\nfrom the message: %s %v", wout, werr, out, err)
		}
	})
}
