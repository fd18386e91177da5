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
