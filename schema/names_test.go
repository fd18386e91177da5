package schema

import "testing"

func TestTypeString(t *testing.T) {
	ref := func(module, name, realm string, params ...*Type) *Type {
		return &Type{Value: &Type_Ref{Ref: &Ref{Module: module, Name: name, Realm: realm, TypeParameters: params}}}
	}
	intT := &Type{Value: &Type_Int{Int: &Int{}}}
	strT := &Type{Value: &Type_String_{String_: &String{}}}
	for want, typ := range map[string]*Type{
		"Int":                       intT,
		"[String]":                  {Value: &Type_Array{Array: &Array{Element: strT}}},
		"{String: [Int?]}":          {Value: &Type_Map{Map: &Map{Key: strT, Value: &Type{Value: &Type_Array{Array: &Array{Element: &Type{Value: &Type_Optional{Optional: &Optional{Type: intT}}}}}}}}},
		"balance.Pair<Int, String>": ref("balance", "Pair", "", intT, strT),
		"balance.withdraw@bank":     ref("balance", "withdraw", "bank"),
		"m.Box<m.Box<Int>>@other":   ref("m", "Box", "other", ref("m", "Box", "", intT)),
		"Time":                      {Value: &Type_Time{Time: &Time{}}},
		"<invalid>":                 {},
	} {
		if got := TypeString(typ); got != want {
			t.Errorf("TypeString = %q, want %q", got, want)
		}
	}
}

func TestDeclHelpers(t *testing.T) {
	pos := &Position{Filename: "f.go", Line: 3}
	for _, tc := range []struct {
		decl *Decl
		kind string
		api  bool
	}{
		{&Decl{Value: &Decl_Data{Data: &Data{Name: "n", Pos: pos}}}, "data", true},
		{&Decl{Value: &Decl_Verb{Verb: &Verb{Name: "n", Pos: pos}}}, "verb", true},
		{&Decl{Value: &Decl_Enum{Enum: &Enum{Name: "n", Pos: pos}}}, "enum", true},
		{&Decl{Value: &Decl_TypeAlias{TypeAlias: &TypeAlias{Name: "n", Pos: pos}}}, "typealias", true},
		{&Decl{Value: &Decl_Database{Database: &Database{Name: "n", Pos: pos}}}, "database", false},
		{&Decl{Value: &Decl_Topic{Topic: &Topic{Name: "n", Pos: pos}}}, "topic", false},
		{&Decl{Value: &Decl_Config{Config: &Config{Name: "n", Pos: pos}}}, "config", false},
		{&Decl{Value: &Decl_Secret{Secret: &Secret{Name: "n", Pos: pos}}}, "secret", false},
	} {
		if got := DeclKind(tc.decl); got != tc.kind {
			t.Errorf("DeclKind = %q, want %q", got, tc.kind)
		}
		if DeclName(tc.decl) != "n" || DeclPos(tc.decl) != pos {
			t.Errorf("%s: DeclName = %q, DeclPos = %v", tc.kind, DeclName(tc.decl), DeclPos(tc.decl))
		}
		if got := IsAPIDecl(tc.decl); got != tc.api {
			t.Errorf("IsAPIDecl(%s) = %v, want %v", tc.kind, got, tc.api)
		}
	}
	for _, d := range []*Decl{nil, {}, {Value: &Decl_Topic{}}} {
		if DeclName(d) != "" || DeclPos(d) != nil || IsAPIDecl(d) {
			t.Errorf("empty decl %v: name %q, pos %v, api %v", d, DeclName(d), DeclPos(d), IsAPIDecl(d))
		}
	}
	if DeclKind(&Decl{}) != "decl" {
		t.Errorf("DeclKind(empty) = %q", DeclKind(&Decl{}))
	}
}
