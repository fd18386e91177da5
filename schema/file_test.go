package schema

import (
	"bytes"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
)

func sample() *Schema {
	pos := &Position{Filename: "balance/balance.go", Line: 12, Column: 1}
	str := &Type{Value: &Type_String_{String_: &String{}}}
	return &Schema{Realms: []*Realm{{
		Name: "bank",
		Modules: []*Module{{
			Name: "balance",
			Decls: []*Decl{
				{Value: &Decl_Verb{Verb: &Verb{
					Pos:        pos,
					Comments:   []string{"Withdraw \"takes\" money\tout.", "ünïcode \\ */ \x01"},
					Visibility: Visibility_VISIBILITY_SCOPE_REALM,
					Name:       "withdraw",
					Request:    &Type{Value: &Type_Ref{Ref: &Ref{Module: "balance", Name: "WithdrawRequest"}}},
					Response:   &Type{Value: &Type_Unit{Unit: &Unit{}}},
				}}},
				{Value: &Decl_Data{Data: &Data{Name: "WithdrawRequest", Fields: []*Field{{Name: "memo", Type: str}}}}},
			},
		}},
	}}}
}

func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"s.txtpb", "s.json"} {
		path := filepath.Join(dir, name)
		if err := Write(path, sample()); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !proto.Equal(got, sample()) {
			t.Errorf("%s: round trip changed the schema:\n%v", name, got)
		}
		a, _ := MarshalFile(path, sample())
		b, _ := MarshalFile(path, got)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: re-encoding differs", name)
		}
	}
}

func TestDecodeErrorPosition(t *testing.T) {
	_, err := Unmarshal("x.txtpb", []byte("realms: {\n  name: \"a\"\n  bogus: 1\n}\n"), FormatText)
	if err == nil || err.Error() != `x.txtpb:3:3: invalid schema file: unknown field: bogus` {
		t.Fatalf("got %v", err)
	}
}
