package schema

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// goldenSchemas reads the golden schemas, which hold every decl and
// metadata kind.
func goldenSchemas(t *testing.T) []*Schema {
	t.Helper()
	var out []*Schema
	for _, name := range []string{"everything.txtpb", "upstream.txtpb"} {
		s, err := Read(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// reflective encodes s with the fast path off.
func reflective(s *Schema) []byte {
	textFastPath = false
	defer func() { textFastPath = true }()
	return marshalText(s)
}

// The fast path writes exactly what reflection writes: for the golden
// schemas (every decl and metadata kind, so the fallback too), for odd
// shapes (set oneofs holding nil, empty and nil list elements, zero
// values, unknown enum numbers), and for random schemas.
func TestTextFastPath(t *testing.T) {
	cases := append(goldenSchemas(t), &Schema{Realms: []*Realm{{Name: "r", Modules: []*Module{
		{Name: "m", Comments: []string{"", "x"}, Decls: []*Decl{
			{}, {Value: &Decl_Data{}}, {Value: &Decl_Verb{Verb: &Verb{Visibility: 7, Request: &Type{}, Response: &Type{Value: &Type_Int{}}}}},
			{Value: &Decl_Enum{Enum: &Enum{Variants: []*EnumVariant{{}, {Value: &Value{}}, {Value: &Value{Value: &Value_IntValue{IntValue: &IntValue{Value: -3}}}}}}}},
			{Value: &Decl_Data{Data: &Data{Fields: []*Field{{Type: &Type{Value: &Type_Ref{Ref: &Ref{TypeParameters: []*Type{{}, nil}}}}}}}}},
		}, Metadata: []*Metadata{{}, {Value: &Metadata_Alias{}}}},
		{Name: "n"},
	}}, {Name: "s", External: true}}})
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		cases = append(cases, randomSchema(r))
	}
	for i, s := range cases {
		if fast, slow := marshalText(s), reflective(s); string(fast) != string(slow) {
			t.Fatalf("case %d: fast path differs:\n%s", i, lineDiff(string(slow), string(fast)))
		}
	}
}

// randomSchema fills every field of a Schema, recursively and at random:
// each message field set with some probability, lists of 0 to 2 elements,
// one member of each oneof.
func randomSchema(r *rand.Rand) *Schema {
	s := &Schema{}
	fill(r, s.ProtoReflect(), 0)
	return s
}

func fill(r *rand.Rand, m protoreflect.Message, depth int) {
	chosen := map[protoreflect.OneofDescriptor]protoreflect.FieldDescriptor{}
	oneofs := m.Descriptor().Oneofs()
	for i := range oneofs.Len() {
		if od := oneofs.Get(i); !od.IsSynthetic() {
			chosen[od] = od.Fields().Get(r.IntN(od.Fields().Len()))
			// Favour the members that lead to refs.
			if ref := od.Fields().ByName("ref"); ref != nil && r.IntN(2) == 0 {
				chosen[od] = ref
			}
			if data := od.Fields().ByName("data"); data != nil && r.IntN(2) == 0 {
				chosen[od] = data
			}
		}
	}
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() && chosen[od] != fd {
			continue
		}
		if r.IntN(4) == 0 || (fd.Message() != nil && depth > 9) {
			continue
		}
		switch {
		case fd.IsList():
			list := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Message() != nil {
					e := list.NewElement()
					fill(r, e.Message(), depth+1)
					list.Append(e)
				} else {
					list.Append(scalar(r, fd))
				}
			}
		case fd.IsMap():
		case fd.Message() != nil:
			fill(r, m.Mutable(fd).Message(), depth+1)
		default:
			m.Set(fd, scalar(r, fd))
		}
	}
}

func scalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString([]string{"", "a", "ä\"\\\n", "\x00\xff"}[r.IntN(4)])
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 0)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(r.IntN(4)))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(r.Int64N(5) - 2)
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(r.IntN(5) - 2))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte("b"))
	}
	return protoreflect.ValueOf(nil)
}

// eachRef finds the same refs in the same order with and without its fast
// path (the goldens hold refs in every place one can be).
func TestRefFastPath(t *testing.T) {
	cases := goldenSchemas(t)
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		cases = append(cases, randomSchema(r))
	}
	refs := func(s *Schema) []*Ref {
		var out []*Ref
		for _, realm := range s.GetRealms() {
			for _, m := range realm.GetModules() {
				eachRef(m.ProtoReflect(), func(r *Ref) { out = append(out, r) })
			}
		}
		return out
	}
	for i, s := range cases {
		fast := refs(s)
		refFastPath = false
		slow := refs(s)
		refFastPath = true
		if len(fast) != len(slow) {
			t.Fatalf("case %d: %d refs with the fast path, %d without", i, len(fast), len(slow))
		}
		for j := range fast {
			if fast[j] != slow[j] {
				t.Fatalf("case %d: ref %d differs: %s (%p) with the fast path, %s (%p) without", i, j, RefString(fast[j]), fast[j], RefString(slow[j]), slow[j])
			}
		}
	}
}

// EncodeFile hands on, piece by piece, exactly what MarshalFile writes,
// also when the pieces' memory is reused and many modules are in flight.
func TestEncodeFile(t *testing.T) {
	big := &Schema{}
	for r := range 2 {
		realm := &Realm{Name: fmt.Sprintf("r%d", r)}
		for m := range 30 {
			mod := &Module{Name: fmt.Sprintf("m%d", m)}
			for d := range m * m { // modules of very different sizes
				mod.Decls = append(mod.Decls, &Decl{Value: &Decl_Data{Data: &Data{
					Pos: &Position{Filename: "f.go", Line: int64(d + 1), Column: 6}, Name: fmt.Sprintf("D%d", d),
					Comments: []string{strings.Repeat("x", d%200)},
					Fields:   []*Field{{Name: "a", Type: &Type{Value: &Type_String_{String_: &String{}}}}},
				}}})
			}
			realm.Modules = append(realm.Modules, mod)
		}
		big.Realms = append(big.Realms, realm)
	}
	cases := append(goldenSchemas(t), big, &Schema{})
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		cases = append(cases, randomSchema(r))
	}
	for i, s := range cases {
		for _, path := range []string{"s.txtpb", "s.json"} {
			want, wantErr := MarshalFile(path, s)
			var got []byte
			err := EncodeFile(path, s, func(p []byte) { got = append(got, p...) })
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("case %d, %s: EncodeFile error %v, MarshalFile error %v", i, path, err, wantErr)
			}
			if string(got) != string(want) {
				t.Fatalf("case %d, %s: EncodeFile differs from MarshalFile:\n%s", i, path, lineDiff(string(want), string(got)))
			}
		}
	}
}
