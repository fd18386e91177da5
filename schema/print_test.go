package schema

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

func TestPrintLeavesSchemaAlone(t *testing.T) {
	s, err := Read("testdata/everything.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	before := proto.Clone(s)
	_ = Print(s)
	if !proto.Equal(s, before) {
		t.Fatal("Print reordered the schema it was given")
	}
}

func TestPrintInvalidSchema(t *testing.T) {
	s := &Schema{Realms: []*Realm{{Name: "r", Modules: []*Module{{Name: "m", Decls: []*Decl{
		{Value: &Decl_Verb{Verb: &Verb{Name: "v"}}},
		{Value: &Decl_Data{Data: &Data{Name: "D", Fields: []*Field{{Name: "f", Type: &Type{Value: &Type_Array{}}}}}}},
		{},
	}}}}}}
	got := Print(s)
	for _, want := range []string{"verb v(<invalid>) <invalid>", "f [<invalid>]"} {
		if !strings.Contains(got, want) {
			t.Errorf("Print lacks %q:\n%s", want, got)
		}
	}
}

func TestPrintEmpty(t *testing.T) {
	if got := Print(&Schema{}); got != "" {
		t.Errorf("Print(empty) = %q", got)
	}
	if got := Print(&Schema{Realms: []*Realm{{Name: "a"}, {Name: "b", External: true}}}); got != "realm a {}\n\nexternal realm b {}\n" {
		t.Errorf("Print(two empty realms) = %q", got)
	}
}
